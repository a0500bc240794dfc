"""The forms of API input that the OpenAPI document states and the request schemas check:
patterns, whole numbers, metadata limits. Each names the service rule it describes, so that
the document and the server agree (tests/api/test_fuzz.py)."""

from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from portal.services.audit.audit_log_schemas import VALUE_TYPES
from portal.services.infra.domain_names import DOMAIN_PATTERN, has_domain_form
from portal.services.infra.outbound import URL_PATTERN
from portal.services.infra.redirect_urls import REDIRECT_URL_PATTERN
from portal.services.organizations.organizations import (
    METADATA_KEY_MAX,
    METADATA_MAX_KEYS,
    METADATA_VALUE_MAX,
)


def _domain_form(value: str) -> str:
    if not has_domain_form(value):
        raise PydanticCustomError(
            "invalid",
            "{value!r} is not a domain name like example.com (an IDN in its xn-- form)",
            {"value": value},
        )
    return value


DomainName = Annotated[
    str,
    Field(
        max_length=253,
        description="A domain name like example.com (an IDN in its xn-- form); not a public "
        "mail provider's.",
        json_schema_extra={"pattern": DOMAIN_PATTERN},
    ),
    AfterValidator(_domain_form),
]
# The form of a webhook URL; its host must also resolve to a public address (checked on
# create, update and every delivery), which no pattern can say.
ENDPOINT_URL_FORM = {
    "pattern": URL_PATTERN,
    "description": "An http(s) URL (https only in production) whose host resolves to a public "
    "address.",
}


def _or_empty(pattern: str) -> str:
    return f"^(?:{pattern.removeprefix('^').removesuffix('$')})?$"


# An IdP's URL: empty (or null) leaves it unset.
IDP_URL_FORM = {
    "pattern": _or_empty(URL_PATTERN),
    "description": "An http(s) URL (https only in production).",
}
# Where the IT admin is sent back to: empty (or null) for the default.
REDIRECT_URL_FORM = {
    "pattern": _or_empty(REDIRECT_URL_PATTERN),
    "description": "An https URL (http://localhost too, outside production).",
}


def _whole_number(value):
    """JSON has one kind of number: 3.0 is the integer 3, as JSON Schema reads it."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# After any constraints in an `Annotated`, or pydantic leaves them out of the JSON Schema.
WHOLE_NUMBER = BeforeValidator(_whole_number)


# What `organizations._valid_metadata` accepts, for the document (the service checks it).
OrganizationMetadata = Annotated[
    dict[str, str],
    WithJsonSchema(
        {
            "type": "object",
            "maxProperties": METADATA_MAX_KEYS,
            "propertyNames": {"pattern": f"^[\\u0000-\\u007f]{{1,{METADATA_KEY_MAX}}}$"},
            "additionalProperties": {
                "type": "string",
                "maxLength": METADATA_VALUE_MAX,
                "pattern": "^[\\u0000-\\u007f]*$",
            },
            "description": f"At most {METADATA_MAX_KEYS} keys of 1 to {METADATA_KEY_MAX} ASCII "
            f"characters, each a string of at most {METADATA_VALUE_MAX} ASCII characters.",
        }
    ),
]


# What Python's `str.strip` removes, spelled out: the service refuses a name of only these.
NOT_BLANK = (
    r"[^\t\n\v\f\r\u001c-\u001f \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
)
# An update may leave the name out, not clear it: the document has no null for it.
UpdatedName = Annotated[
    Annotated[str, Field(min_length=1, max_length=255)] | None,
    WithJsonSchema({"type": "string", "minLength": 1, "maxLength": 255, "pattern": NOT_BLANK}),
]


# Unicode's White_Space, spelled out: `\s` means a different set in each regex dialect that
# reads the document (pydantic's, JSON Schema's, Python's).
NO_WHITESPACE = r"^[^\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$"
# What `audit_log_schemas.normalize_metadata_schema` reads: `{"key": "string", ...}`, or a
# JSON Schema object of typed properties (its `required` naming some of them, which no schema
# can say).
MetadataSchema = Annotated[
    dict[str, Any],
    WithJsonSchema(
        {
            "anyOf": [
                {
                    "type": "object",
                    "properties": {"properties": False},
                    "additionalProperties": {"enum": list(VALUE_TYPES)},
                },
                {
                    "type": "object",
                    "properties": {
                        "type": {"const": "object"},
                        "properties": {
                            "type": "object",
                            "additionalProperties": {
                                "type": "object",
                                "properties": {"type": {"enum": list(VALUE_TYPES)}},
                                "required": ["type"],
                            },
                        },
                        "required": {"type": "array", "items": {"type": "string"}},
                        "additionalProperties": {"type": "boolean"},
                    },
                    "additionalProperties": False,
                    "anyOf": [{"required": ["type"]}, {"required": ["properties"]}],
                },
            ],
            "description": 'The metadata\'s schema: `{"key": "string"}` (or number, integer, '
            "boolean), or a JSON Schema object of such properties.",
        }
    ),
]
