"""SCIM PATCH (RFC 7644 3.5.2) applied to a resource held as a JSON dict.

Accepts what IdPs send: Okta's lower-case ops, Entra's `"Replace"` and its path-less values
with dotted keys (`{"name.givenName": "Ann"}`), and value-filtered paths.
"""

from dataclasses import dataclass

from portal.errors import PatchError, PathError
from portal.services.directory.scim_filters import Comparison, matches, parse_filter
from portal.services.directory.scim_paths import find_key, split_schema

OPS = ("add", "replace", "remove")


@dataclass
class Operation:
    op: str
    path: str | None
    value: object


@dataclass
class AttributePath:
    extension: str | None  # the extension schema URN the attribute lives under, if any
    attribute: str | None  # None: the path names the whole extension
    value_filter: object | None = None  # a parsed filter on the elements of a multi-valued one
    sub_attribute: str | None = None


def read_operations(body: dict) -> list[Operation]:
    """The operations of a PatchOp body, ops lower-cased; malformed ones raise PatchError."""
    raw = body.get(find_key(body, "Operations") or "Operations")
    if not isinstance(raw, list) or not raw:
        raise PatchError("Operations must be a non-empty list.", "invalidSyntax")
    operations = []
    for item in raw:
        if not isinstance(item, dict):
            raise PatchError("Each operation must be an object.", "invalidSyntax")
        op = item.get(find_key(item, "op") or "op")
        if not isinstance(op, str) or op.lower() not in OPS:
            raise PatchError(
                f"op must be one of add, replace, remove, not {op!r}.", "invalidSyntax"
            )
        path = item.get(find_key(item, "path") or "path")
        if path is not None and not isinstance(path, str):
            raise PatchError("path must be a string.", "invalidPath")
        value = item.get(find_key(item, "value") or "value")
        if op.lower() == "remove" and not path and value is None:
            raise PatchError("A remove operation needs a path.", "noTarget")
        if op.lower() != "remove" and "value" not in {k.lower() for k in item}:
            raise PatchError(f"A {op} operation needs a value.", "invalidValue")
        operations.append(Operation(op.lower(), path or None, value))
    return operations


def apply(resource: dict, operation: Operation) -> None:
    """Apply one operation to the resource in place."""
    if operation.path is None:
        if operation.op == "remove":
            raise PatchError("A remove operation needs a path.", "noTarget")
        if not isinstance(operation.value, dict):
            raise PatchError("Without a path, value must be an object.", "invalidValue")
        for key, value in operation.value.items():
            if key.lower() == "schemas":
                continue
            apply(resource, Operation(operation.op, key, value))
        return
    try:
        path = parse_path(operation.path)
    except PathError as error:
        raise PatchError(str(error), "invalidPath") from None
    if path.attribute is None and operation.op == "remove":
        _remove_extension(resource, path.extension)
        return
    container = _container(resource, path, create=operation.op != "remove")
    if container is None:
        return
    if path.attribute is None:
        _merge_extension(container, operation)
    elif path.value_filter is not None:
        _apply_filtered(container, path, operation)
    elif path.sub_attribute:
        _apply_sub_attribute(container, path, operation)
    else:
        _apply_attribute(container, path.attribute, operation)


def parse_path(path: str) -> AttributePath:
    """Parse a PATCH path; a value filter is parsed with `scim_filters.parse_filter`."""
    path = path.strip()
    if not path:
        raise PathError("The path is empty.")
    extension, rest = split_schema(path)
    if not rest:
        return AttributePath(extension, None)
    value_filter = None
    sub = None
    if "[" in rest:
        head, _, tail = rest.partition("[")
        inner, closing, after = tail.rpartition("]")
        if not closing:
            raise PathError(f"Unbalanced brackets in path {path!r}.")
        value_filter = parse_filter(inner)
        if after:
            if not after.startswith("."):
                raise PathError(f"Unexpected text after the filter in {path!r}.")
            sub = after[1:]
        attribute = head
    else:
        attribute, _, sub = rest.partition(".")
        sub = sub or None
    if not attribute or not _is_name(attribute) or (sub is not None and not _is_name(sub)):
        raise PathError(f"{path!r} is not a valid attribute path.")
    return AttributePath(extension, attribute, value_filter, sub)


def _is_name(name: str) -> bool:
    return name.replace("_", "").replace("-", "").replace("$", "").isalnum()


def _container(resource: dict, path: AttributePath, create: bool) -> dict | None:
    if not path.extension:
        return resource
    key = find_key(resource, path.extension)
    if key is None:
        if not create:
            return None
        resource[path.extension] = {}
        key = path.extension
        schemas = resource.setdefault("schemas", [])
        if path.extension not in schemas:
            schemas.append(path.extension)
    if not isinstance(resource[key], dict):
        resource[key] = {}
    return resource[key]


def _remove_extension(resource: dict, extension: str | None) -> None:
    if extension is None:
        raise PatchError("The core schema cannot be removed.", "mutability")
    key = find_key(resource, extension)
    if key is not None:
        resource.pop(key)
    resource["schemas"] = [s for s in resource.get("schemas", []) if s.lower() != extension.lower()]


def _merge_extension(container: dict, operation: Operation) -> None:
    if operation.op == "remove":
        container.clear()
        return
    if not isinstance(operation.value, dict):
        raise PatchError("An extension's value must be an object.")
    if operation.op == "replace":
        container.clear()
    for key, value in operation.value.items():
        _apply_attribute(container, key, Operation(operation.op, key, value))


def _apply_attribute(container: dict, name: str, operation: Operation) -> None:
    if "." in name:  # Entra's path-less `{"name.givenName": ...}`
        head, _, sub = name.partition(".")
        path = AttributePath(None, head, None, sub)
        _apply_sub_attribute(container, path, operation)
        return
    key = find_key(container, name) or name
    current = container.get(key)
    if operation.op == "remove":
        if isinstance(current, list) and operation.value is not None:
            container[key] = [item for item in current if not _listed(item, operation.value)]
        else:
            container.pop(key, None)
        return
    value = operation.value
    if operation.op == "add" and isinstance(current, list):
        additions = value if isinstance(value, list) else [value]
        container[key] = current + [item for item in additions if item not in current]
    elif operation.op == "add" and isinstance(current, dict) and isinstance(value, dict):
        current.update(value)
    else:
        container[key] = value


def _listed(item, removals) -> bool:
    removals = removals if isinstance(removals, list) else [removals]
    for removal in removals:
        if item == removal:
            return True
        if (
            isinstance(item, dict)
            and isinstance(removal, dict)
            and "value" in removal
            and item.get(find_key(item, "value") or "value") == removal["value"]
        ):
            return True
    return False


def _apply_sub_attribute(container: dict, path: AttributePath, operation: Operation) -> None:
    key = find_key(container, path.attribute) or path.attribute
    parent = container.get(key)
    if isinstance(parent, list):
        # A sub-attribute of every element of a multi-valued attribute.
        for element in parent:
            if isinstance(element, dict):
                _apply_attribute(element, path.sub_attribute, operation)
        return
    if parent is None:
        if operation.op == "remove":
            return
        parent = container[key] = {}
    if not isinstance(parent, dict):
        raise PatchError(f"{path.attribute} has no sub-attributes.", "invalidPath")
    _apply_attribute(parent, path.sub_attribute, operation)


def _apply_filtered(container: dict, path: AttributePath, operation: Operation) -> None:
    key = find_key(container, path.attribute) or path.attribute
    elements = container.get(key)
    if elements is None:
        elements = []
    if not isinstance(elements, list):
        raise PatchError(f"{path.attribute} is not multi-valued.", "invalidPath")
    chosen = [e for e in elements if isinstance(e, dict) and matches(path.value_filter, e)]
    if operation.op == "remove":
        if path.sub_attribute:
            for element in chosen:
                sub_key = find_key(element, path.sub_attribute)
                if sub_key:
                    element.pop(sub_key)
        else:
            elements = [e for e in elements if not any(e is c for c in chosen)]
        container[key] = elements
        return
    if not chosen:
        # Entra replaces `emails[type eq "work"].value` on a user without a work email.
        new = _element_from_filter(path.value_filter)
        if new is None:
            raise PatchError(f"No value of {path.attribute} matches the filter.", "noTarget")
        elements.append(new)
        chosen = [new]
    for element in chosen:
        if path.sub_attribute:
            _apply_attribute(element, path.sub_attribute, operation)
        elif isinstance(operation.value, dict):
            if operation.op == "replace":
                element.clear()
            element.update(operation.value)
    container[key] = elements


def _element_from_filter(value_filter) -> dict | None:
    if isinstance(value_filter, Comparison) and value_filter.operator == "eq":
        return {value_filter.path: value_filter.value}
    return None
