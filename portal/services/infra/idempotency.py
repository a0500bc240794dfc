"""The store behind `Idempotency-Key`: the first response to a key, kept 24 hours per API key,
so a retried request is answered with it instead of doing the work twice (the API's
decorator in portal/api/idempotency.py decides when to look and what to keep)."""

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import IdempotentRequest
from portal.models.columns import utcnow

REMEMBERED_FOR = timedelta(hours=24)


def earlier_request(api_key_id: str, key: str) -> IdempotentRequest | None:
    """The response stored for this API key's `key` in the last 24 hours, if any."""
    return db.session.scalars(
        select(IdempotentRequest).where(
            IdempotentRequest.api_key_id == api_key_id,
            IdempotentRequest.idempotency_key == key,
            IdempotentRequest.created_at > utcnow() - REMEMBERED_FOR,
        )
    ).first()


def remember(
    api_key_id: str, key: str, request_digest: str, status: int, body: dict | list | None
) -> None:
    """Store the first response to `key`; if a concurrent twin stored one first, its stands."""
    db.session.add(
        IdempotentRequest(
            api_key_id=api_key_id,
            idempotency_key=key,
            request_digest=request_digest,
            response_status=status,
            response_body=body,
        )
    )
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
