"""SCIM filters (RFC 7644 3.4.2.2): parsed into a small tree and evaluated on resources.

Strings compare case-insensitively: every attribute portal filters on is `caseExact: false`
except `id`, and ids differ by more than case.
"""

import re
from dataclasses import dataclass

from portal.errors import FilterError
from portal.services.directory.scim_paths import find_key, split_schema

# Far beyond what identity providers send, and well inside Python's recursion limit: the
# parser, `matches` and the SQL translation all descend the tree recursively.
MAX_FILTER_LENGTH = 4096
MAX_FILTER_DEPTH = 16  # nested "(", "not (" and "attr[" groups
MAX_FILTER_TERMS = 100  # comparisons, so "a or b or ..." chains stay shallow too

OPERATORS = ("eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "pr")
TOKEN = re.compile(
    r'\s*(?:(?P<string>"(?:[^"\\]|\\.)*")|(?P<punct>[()\[\]])|(?P<word>[^\s()\[\]"]+))'
)


@dataclass
class Comparison:
    path: str
    operator: str
    value: object = None


@dataclass
class Logical:
    operator: str  # "and" | "or"
    left: object
    right: object


@dataclass
class Negation:
    inner: object


@dataclass
class ValuePath:
    attribute: str
    inner: object


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    text = text.rstrip()
    while position < len(text):
        match = TOKEN.match(text, position)
        if not match or match.end() == position:
            raise FilterError(f"Cannot read the filter at {text[position:]!r}.")
        kind = match.lastgroup
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


def parse_filter(text: str):
    """Parse a filter expression; raises FilterError on anything malformed or too large."""
    if len(text or "") > MAX_FILTER_LENGTH:
        raise FilterError(f"A filter may be at most {MAX_FILTER_LENGTH} characters long.")
    parser = _Parser(_tokens(text or ""))
    if not parser.tokens:
        raise FilterError("The filter is empty.")
    tree = parser.expression()
    if parser.position != len(parser.tokens):
        raise FilterError(f"Unexpected {parser.tokens[parser.position][1]!r} in the filter.")
    return tree


class _Parser:
    def __init__(self, tokens):
        self.tokens = tokens
        self.position = 0
        self.depth = 0
        self.terms = 0

    def peek(self) -> str | None:
        if self.position < len(self.tokens):
            return self.tokens[self.position][1]
        return None

    def take(self) -> tuple[str, str]:
        if self.position >= len(self.tokens):
            raise FilterError("The filter ends too early.")
        token = self.tokens[self.position]
        self.position += 1
        return token

    def expression(self):
        left = self.conjunction()
        while (self.peek() or "").lower() == "or":
            self.take()
            left = Logical("or", left, self.conjunction())
        return left

    def conjunction(self):
        left = self.term()
        while (self.peek() or "").lower() == "and":
            self.take()
            left = Logical("and", left, self.term())
        return left

    def term(self):
        kind, token = self.take()
        if token == "(":  # noqa: S105  (a filter token, not a secret)
            return self._group(")")
        if kind == "word" and token.lower() == "not":
            self._expect("(")
            return Negation(self._group(")"))
        if kind != "word":
            raise FilterError(f"Expected an attribute, found {token!r}.")
        if self.peek() == "[":
            self.take()
            return ValuePath(token, self._group("]"))
        self.terms += 1
        if self.terms > MAX_FILTER_TERMS:
            raise FilterError(f"A filter may hold at most {MAX_FILTER_TERMS} comparisons.")
        _, operator = self.take()
        operator = operator.lower()
        if operator not in OPERATORS:
            raise FilterError(f"Unknown operator {operator!r}.")
        if operator == "pr":
            return Comparison(token, "pr")
        return Comparison(token, operator, _literal(*self.take()))

    def _group(self, closing: str):
        """The expression inside an opened "(" or "[", up to its `closing` token."""
        self.depth += 1
        if self.depth > MAX_FILTER_DEPTH:
            raise FilterError(f"A filter may nest at most {MAX_FILTER_DEPTH} groups deep.")
        inner = self.expression()
        self._expect(closing)
        self.depth -= 1
        return inner

    def _expect(self, wanted: str) -> None:
        _, token = self.take()
        if token != wanted:
            raise FilterError(f"Expected {wanted!r}, found {token!r}.")


def _literal(kind: str, token: str):
    if kind == "string":
        return re.sub(r"\\(.)", r"\1", token[1:-1])
    lowered = token.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered == "null":
        return None
    try:
        return float(token) if "." in token else int(token)
    except ValueError:
        raise FilterError(f"{token!r} is not a value: quote strings.") from None


def values_at(resource: dict, path: str) -> list:
    """Every value at `path` in the resource (lists flattened)."""
    extension, rest = split_schema(path)
    container = resource
    if extension:
        key = find_key(resource, extension)
        container = resource.get(key) if key else None
        if not isinstance(container, dict):
            return []
    current = [container]
    for part in rest.split(".") if rest else []:
        found = []
        for item in current:
            if isinstance(item, dict) and (key := find_key(item, part)) is not None:
                value = item[key]
                found.extend(value if isinstance(value, list) else [value])
        current = found
    return current


def matches(tree, resource: dict) -> bool:
    """Whether the resource (or one element of a multi-valued attribute) passes the filter."""
    if isinstance(tree, Logical):
        if tree.operator == "and":
            return matches(tree.left, resource) and matches(tree.right, resource)
        return matches(tree.left, resource) or matches(tree.right, resource)
    if isinstance(tree, Negation):
        return not matches(tree.inner, resource)
    if isinstance(tree, ValuePath):
        elements = values_at(resource, tree.attribute)
        return any(isinstance(e, dict) and matches(tree.inner, e) for e in elements)
    found = values_at(resource, tree.path)
    # `emails eq "x"` compares the primary sub-attribute `value` of complex values.
    found = [v.get(find_key(v, "value") or "value") if isinstance(v, dict) else v for v in found]
    if tree.operator == "pr":
        return any(v not in (None, "", [], {}) for v in found)
    if tree.operator == "ne":
        return not any(_compare(v, "eq", tree.value) for v in found)
    return any(_compare(v, tree.operator, tree.value) for v in found)


def _compare(actual, operator: str, expected) -> bool:
    if isinstance(actual, str) and isinstance(expected, str):
        actual, expected = actual.lower(), expected.lower()
    elif isinstance(actual, bool) or isinstance(expected, bool):
        if operator != "eq":
            return False
        return actual == expected
    try:
        if operator == "eq":
            return actual == expected
        if operator == "co":
            return isinstance(actual, str) and expected in actual
        if operator == "sw":
            return isinstance(actual, str) and actual.startswith(expected)
        if operator == "ew":
            return isinstance(actual, str) and actual.endswith(expected)
        if operator == "gt":
            return actual > expected
        if operator == "ge":
            return actual >= expected
        if operator == "lt":
            return actual < expected
        if operator == "le":
            return actual <= expected
    except TypeError:
        return False
    return False


def simple_equality(tree) -> tuple[str, object] | None:
    """(attribute, value) when the filter is one `attr eq value`: the indexed fast path."""
    if isinstance(tree, Comparison) and tree.operator == "eq":
        return tree.path.lower(), tree.value
    return None
