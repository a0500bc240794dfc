"""The pieces every part of the OpenAPI document is built from: schema references, closed
objects, list envelopes, parameters, responses and operations (with the errors each may
answer). `openapi` and its `openapi_*` parts all build with these."""

import re

from pydantic import BaseModel

from portal.api.idempotency import MAX_KEY_LENGTH
from portal.services.infra.pagination import DEFAULT_LIMIT, MAX_LIMIT, ORDERS

REF_TEMPLATE = "#/components/schemas/{model}"
TIMESTAMP = {"type": "string", "format": "date-time"}
NULLABLE_STRING = {"type": ["string", "null"]}
NULLABLE_TIMESTAMP = {"type": ["string", "null"], "format": "date-time"}

IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "description": "A retry with the same key and input gets the first response again, with "
    "`Idempotent-Replayed: true`, instead of doing the work twice (keys last 24 hours).",
    "schema": {"type": "string", "maxLength": MAX_KEY_LENGTH},
}

ERROR_RESPONSES = {
    400: "The request could not be read (not JSON, not an object, an Idempotency-Key reused "
    "for other input), or the action does not apply to the object in its current state.",
    401: "The API key is missing, invalid or revoked.",
    403: "The download link expired, was altered, or was made for another export; fetch the "
    "export again for a new link.",
    404: "No object has this id.",
    409: "The change conflicts with an existing object.",
    413: "The request body is larger than the server accepts.",
    422: "The input is readable but invalid; `errors` names each field at fault.",
}


def ref(name: str) -> dict:
    return {"$ref": REF_TEMPLATE.format(model=name)}


def closed_object(properties: dict, optional: tuple[str, ...] = ()) -> dict:
    """An object with exactly these keys, all required but the `optional` ones."""
    return {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in optional],
        "additionalProperties": False,
    }


def list_of(item: str) -> dict:
    return closed_object(
        {
            "object": {"const": "list"},
            "data": {"type": "array", "items": ref(item)},
            "list_metadata": ref("ListMetadata"),
        }
    )


def path_parameter(name: str, description: str) -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string"},
    }


def query_parameter(name: str, schema: dict, description: str) -> dict:
    parameter = {"name": name, "in": "query", "description": description, "schema": schema}
    if schema.get("type") == "array":
        parameter.update(style="form", explode=True)
    return parameter


def comma_list(item_pattern: str, description: str) -> dict:
    """An item of a list parameter: one value matching `item_pattern` (anchored with ^ and $),
    or several joined by commas, as the server also reads them; empty ones are skipped (the
    WorkOS SDKs send `events=` for no filter)."""
    item = item_pattern.removeprefix("^").removesuffix("$")
    return {
        "type": "string",
        "pattern": f"^(?:{item})?(?:,(?:{item})?)*$",
        "description": description,
    }


def one_of_words(words) -> str:
    """A pattern matching exactly one of `words`."""
    return "^(?:" + "|".join(re.escape(word) for word in sorted(words)) + ")$"


def page_parameters(default_order: str) -> list[dict]:
    return [
        query_parameter(
            "limit",
            {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
            "How many objects to return.",
        ),
        query_parameter("before", {"type": "string"}, "Return the page before this id."),
        query_parameter("after", {"type": "string"}, "Return the page after this id."),
        query_parameter(
            "order",
            {"enum": list(ORDERS), "default": default_order},
            "Order by creation time; `normal` lists newest first with swapped cursors.",
        ),
    ]


def response(description: str, schema: str | None = None) -> dict:
    described = {"description": description}
    if schema:
        described["content"] = {"application/json": {"schema": ref(schema)}}
    return described


def request_body(model: type[BaseModel], required: bool = True) -> dict:
    return {
        "required": required,
        "content": {"application/json": {"schema": ref(model.__name__)}},
    }


def operation(
    operation_id: str,
    summary: str,
    tag: str,
    success: dict[int, dict],
    errors: tuple[int, ...] = (),
    parameters: list[dict] | None = None,
    body: dict | None = None,
    public: bool = False,
) -> dict:
    """One operation: its successes, its errors (401 unless public) and its inputs."""
    statuses = sorted(set(errors) | ({401} if not public else set()))
    responses = {str(s): r for s, r in success.items()}
    responses |= {str(s): response(ERROR_RESPONSES[s], "Error") for s in statuses}
    described = {
        "operationId": operation_id,
        "summary": summary,
        "tags": [tag],
        "responses": responses,
    }
    if parameters:
        described["parameters"] = parameters
    if body:
        described["requestBody"] = body
    if public:
        described["security"] = []
    return described
