"""`Idempotency-Key` on POST: a retried request gets the first response instead of doing the
work twice (the WorkOS SDKs send a key with every POST and reuse it on retries)."""

import functools
import hashlib
import json

from flask import g, make_response, request

from portal.errors import BadRequest
from portal.models import IdempotentRequest
from portal.services.infra import idempotency

MAX_KEY_LENGTH = 255


def idempotent(view=None, *, scrub=None, restore=None):
    """Replay the stored response for a repeated key; refuse a key reused for other input.

    `scrub(body)` returns the body to store (without secrets) and `restore(body)` the body to
    replay from it, for responses that carry a secret which must not sit in this table.
    """
    if view is None:
        return functools.partial(idempotent, scrub=scrub, restore=restore)

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key:
            return view(*args, **kwargs)
        if len(key) > MAX_KEY_LENGTH:
            raise BadRequest(
                f"Idempotency-Key must be at most {MAX_KEY_LENGTH} characters.",
                code="invalid_idempotency_key",
            )
        digest = _request_digest()
        earlier = idempotency.earlier_request(g.api_key.id, key)
        if earlier is not None:
            return _replay(earlier, digest, restore)
        response = make_response(view(*args, **kwargs))
        if response.status_code < 500:
            _remember(key, digest, response, scrub)
        return response

    return wrapper


def _request_digest() -> str:
    material = b"\n".join([request.method.encode(), request.path.encode(), request.get_data()])
    return hashlib.sha256(material).hexdigest()


def _replay(earlier: IdempotentRequest, digest: str, restore):
    if earlier.request_digest != digest:
        raise BadRequest(
            "This Idempotency-Key was already used for a different request; use a new key.",
            code="idempotency_key_reused",
        )
    stored = earlier.response_body
    if restore is not None and stored is not None and earlier.response_status < 400:
        stored = restore(stored)
    body = "" if stored is None else json.dumps(stored)
    response = make_response(body, earlier.response_status)
    if earlier.response_body is not None:
        response.mimetype = "application/json"
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _remember(key: str, digest: str, response, scrub) -> None:
    body = response.get_json(silent=True)
    if scrub is not None and body is not None and response.status_code < 400:
        body = scrub(body)
    idempotency.remember(g.api_key.id, key, digest, response.status_code, body)
