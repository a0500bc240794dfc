"""Reading API input: JSON bodies into request schemas, query strings into page requests.

Every failure becomes a 400 (unreadable) or 422 (readable but invalid) naming the field;
text holding a NUL character is a 422 naming where it is (portal/web/__init__.py has the
policy for every audience).
"""

import json
from datetime import datetime
from typing import TypeVar

from flask import request
from pydantic import BaseModel, ValidationError

from portal.errors import BadRequest, InvalidInput
from portal.services.infra.domain_names import has_domain_form
from portal.services.infra.nul_characters import field_holding_nul
from portal.services.infra.pagination import DEFAULT_LIMIT, PageRequest

JSON_TYPES = ("application/json",)
Model = TypeVar("Model", bound=BaseModel)


def json_body(schema: type[Model]) -> Model:
    """The request body validated against `schema` (unknown fields refused)."""
    raw = request.get_data(cache=True)
    if raw.strip() and not (request.mimetype in JSON_TYPES or request.mimetype.endswith("+json")):
        raise BadRequest(
            "Send the request body as JSON with 'Content-Type: application/json'.",
            code="invalid_content_type",
        )
    try:
        data = json.loads(raw) if raw.strip() else {}
    except ValueError as error:
        raise BadRequest(
            f"The request body is not valid JSON: {error}.", code="invalid_request_body"
        ) from None
    except RecursionError:
        raise too_deep() from None
    if not isinstance(data, dict):
        raise BadRequest("The request body must be a JSON object.", code="invalid_request_body")
    try:
        _refuse_nul(data, "")
    except RecursionError:
        raise too_deep() from None
    try:
        return schema.model_validate(data)
    except ValidationError as error:
        raise validation_failed(error) from None


def _refuse_nul(value, field: str) -> None:
    found = field_holding_nul(value, field)
    if found is not None:
        raise InvalidInput(f"{found} must not contain NUL characters.", field=found)


def too_deep() -> BadRequest:
    return BadRequest("The request body is nested too deeply.", code="invalid_request_body")


def validation_failed(error: ValidationError) -> InvalidInput:
    errors = [_describe(detail) for detail in error.errors(include_url=False)]
    summary = "; ".join(e["message"] for e in errors[:3])
    return InvalidInput(f"Validation failed: {summary}", errors=errors)


def _describe(detail: dict) -> dict:
    field = ".".join(str(part) for part in detail["loc"]) or "body"
    kind = detail["type"]
    if kind == "extra_forbidden":
        message = f"{field} is not a known field."
    elif kind == "missing":
        message = f"{field} is required."
    else:
        message = f"{field}: {detail['msg'][0].lower()}{detail['msg'][1:]}."
    return {"field": field, "code": kind, "message": message}


def text_param(name: str) -> str | None:
    """The query string value of `name`, or None when it is absent or empty."""
    value = request.args.get(name) or None
    _refuse_nul(value, name)
    return value


def list_param(name: str) -> list[str]:
    """A list from `name=a,b`, repeated `name=a&name=b`, or `name[]=a`; empty items are
    skipped (the WorkOS SDKs send `events=` for no filter)."""
    values = request.args.getlist(name) + request.args.getlist(f"{name}[]")
    for value in values:
        _refuse_nul(value, name)
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def domain_list_param(name: str) -> list[str]:
    """`list_param` of domain names, each in the form the OpenAPI document states."""
    parts = list_param(name)
    for part in parts:
        if not has_domain_form(part):
            raise InvalidInput(
                f"{part!r} is not a domain name like example.com (an IDN in its xn-- form).",
                field=name,
            )
    return parts


def int_param(name: str, default: int) -> int:
    """A whole number, `default` when absent; an empty value is refused, not read as absent."""
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput(f"{name} must be a whole number.", field=name) from None


def timestamp_param(name: str) -> datetime | None:
    raw = request.args.get(name)
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(
            f"{name} must be an ISO 8601 timestamp like 2026-01-31T12:00:00.000Z.", field=name
        ) from None
    if moment.tzinfo is None:
        raise InvalidInput(f"{name} must end in Z (UTC).", field=name)
    return moment


def page_request(default_order: str = "desc") -> PageRequest:
    return PageRequest(
        limit=int_param("limit", DEFAULT_LIMIT),
        before=text_param("before"),
        after=text_param("after"),
        order=request.args.get("order", default_order),
    )
