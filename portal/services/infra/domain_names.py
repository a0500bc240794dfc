"""What counts as a domain name an organization can claim."""

import re

from portal.errors import InvalidInput

LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
# The form the API accepts, as the OpenAPI document states it: ASCII labels (an IDN in its
# xn-- form), the last one starting with a letter, an optional final dot. Plain enough for every
# regex dialect that reads it (JSON Schema's, pydantic's, hypothesis's).
DOMAIN_PATTERN = (
    r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
    r"[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$"
)
# `\Z`, not `$`: Python's `$` also matches before a final newline.
_DOMAIN_FORM = re.compile(DOMAIN_PATTERN.removesuffix("$") + r"\Z")


def has_domain_form(raw: str) -> bool:
    """Whether `raw` matches DOMAIN_PATTERN."""
    return _DOMAIN_FORM.match(raw) is not None


# Public mail providers: anyone can get an address there, so owning one proves nothing about an
# organization, and SSO or directory rules keyed on it would catch strangers. WorkOS refuses
# them too. A short list of the big ones, not an attempt at completeness.
CONSUMER_MAIL_DOMAINS = frozenset(
    {
        "163.com", "126.com", "aol.com", "att.net", "comcast.net", "fastmail.com", "free.fr",
        "gmail.com", "gmx.com", "gmx.de", "gmx.net", "googlemail.com", "hey.com", "hotmail.co.uk",
        "hotmail.com", "hotmail.fr", "icloud.com", "libero.it", "live.com", "mac.com", "mail.com",
        "mail.ru", "me.com", "msn.com", "orange.fr", "outlook.com", "pm.me", "proton.me",
        "protonmail.com", "qq.com", "rocketmail.com", "tutanota.com", "verizon.net", "web.de",
        "yahoo.co.uk", "yahoo.com", "yahoo.fr", "yandex.com", "yandex.ru", "ymail.com",
        "zoho.com",
    }
)  # fmt: skip


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


def refuse_consumer_domain(domain: str, field: str = "domain") -> None:
    """InvalidInput when `domain` (normalized) is a public mail provider's."""
    if domain in CONSUMER_MAIL_DOMAINS:
        raise InvalidInput(
            f"{domain} is a public email provider: anyone can have an address there, so it "
            "cannot belong to one organization. Use the organization's own domain instead.",
            field=field,
            code="consumer_domain",
        )
