"""What counts as a domain name an organization can claim."""

import re

from portal.errors import InvalidInput

LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def normalize_domain(raw: str, field: str = "domain") -> str:
    """The canonical form (lower-case, ASCII/punycode, no trailing dot), or InvalidInput."""
    domain = raw.strip().rstrip(".").lower()
    if domain.startswith(("http://", "https://")) or "/" in domain or "@" in domain:
        raise InvalidInput(
            f"{raw!r} is not a domain name: give just the domain, like example.com.", field=field
        )
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise InvalidInput(f"{raw!r} is not a valid domain name.", field=field) from None
    labels = domain.split(".")
    if (
        len(domain) > 253
        or len(labels) < 2
        or not all(LABEL.match(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise InvalidInput(
            f"{raw!r} is not a valid domain name (expected something like example.com).",
            field=field,
        )
    return domain
