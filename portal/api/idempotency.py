"""`Idempotency-Key` on POST: a retried request gets the first response instead of doing the
work twice (the WorkOS SDKs send a key with every POST and reuse it on retries)."""

import functools
import hashlib
import json
from datetime import timedelta

from flask import g, make_response, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.errors import BadRequest
from portal.extensions import db
from portal.models import IdempotentRequest
from portal.models.columns import utcnow

REMEMBERED_FOR = timedelta(hours=24)
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
        earlier = _find(key)
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


def _find(key: str) -> IdempotentRequest | None:
    return db.session.scalars(
        select(IdempotentRequest).where(
            IdempotentRequest.api_key_id == g.api_key.id,
            IdempotentRequest.idempotency_key == key,
            IdempotentRequest.created_at > utcnow() - REMEMBERED_FOR,
        )
    ).first()


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
    db.session.add(
        IdempotentRequest(
            api_key_id=g.api_key.id,
            idempotency_key=key,
            request_digest=digest,
            response_status=response.status_code,
            response_body=body,
        )
    )
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # a concurrent twin stored it first; its response stands
