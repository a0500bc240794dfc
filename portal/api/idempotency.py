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


def idempotent(view):
    """Replay the stored response for a repeated key; refuse a key reused for other input."""

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
            return _replay(earlier, digest)
        response = make_response(view(*args, **kwargs))
        if response.status_code < 500:
            _remember(key, digest, response)
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


def _replay(earlier: IdempotentRequest, digest: str):
    if earlier.request_digest != digest:
        raise BadRequest(
            "This Idempotency-Key was already used for a different request; use a new key.",
            code="idempotency_key_reused",
        )
    body = "" if earlier.response_body is None else json.dumps(earlier.response_body)
    response = make_response(body, earlier.response_status)
    if earlier.response_body is not None:
        response.mimetype = "application/json"
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _remember(key: str, digest: str, response) -> None:
    db.session.add(
        IdempotentRequest(
            api_key_id=g.api_key.id,
            idempotency_key=key,
            request_digest=digest,
            response_status=response.status_code,
            response_body=response.get_json(silent=True),
        )
    )
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # a concurrent twin stored it first; its response stands
