"""What the OpenAPI document says of one request, so that a test can check the server and the
document agree on it (tests/api/test_fuzz.py looks for disagreements; these pin the ones
found)."""

from jsonschema import Draft202012Validator

from portal.api.openapi import openapi_document

DOCUMENT = openapi_document("http://portal.test")


def body_is_valid(method: str, path: str, body) -> bool:
    """Whether the document accepts `body` for this operation."""
    content = DOCUMENT["paths"][path][method]["requestBody"]["content"]
    return _valid(content["application/json"]["schema"], body)


def query_is_valid(method: str, path: str, name: str, value: str) -> bool:
    """Whether the document accepts `?name=value` for this operation (one item of a list)."""
    item = DOCUMENT["paths"][path]
    parameters = item.get("parameters", []) + item[method].get("parameters", [])
    schema = next(p["schema"] for p in parameters if p["name"] == name and p["in"] == "query")
    if schema.get("type") == "array":
        return _valid(schema["items"], value)
    if schema.get("type") == "integer":
        return value.isdigit() and _valid(schema, int(value))
    return _valid(schema, value)


def _valid(schema: dict, value) -> bool:
    rooted = {**schema, "components": DOCUMENT["components"]}
    checker = Draft202012Validator.FORMAT_CHECKER
    return Draft202012Validator(rooted, format_checker=checker).is_valid(value)
