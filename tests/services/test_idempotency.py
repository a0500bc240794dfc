"""The Idempotency-Key store: per API key, 24 hours, and the first response stands."""

from datetime import timedelta

from sqlalchemy import update

from portal.extensions import db
from portal.models import IdempotentRequest
from portal.models.columns import utcnow
from portal.services.infra import idempotency


def test_the_first_response_to_a_key_stands(app):
    idempotency.remember("key_a", "k1", "digest-1", 201, {"id": "org_1"})
    idempotency.remember("key_a", "k1", "digest-1", 201, {"id": "org_2"})  # a concurrent twin
    earlier = idempotency.earlier_request("key_a", "k1")
    assert (earlier.response_status, earlier.response_body) == (201, {"id": "org_1"})


def test_keys_belong_to_one_api_key(app):
    idempotency.remember("key_a", "k1", "digest-1", 204, None)
    assert idempotency.earlier_request("key_b", "k1") is None


def test_a_response_is_forgotten_after_24_hours(app):
    idempotency.remember("key_a", "k1", "digest-1", 204, None)
    day_ago = utcnow() - idempotency.REMEMBERED_FOR - timedelta(seconds=1)
    db.session.execute(update(IdempotentRequest).values(created_at=day_ago))
    db.session.commit()
    assert idempotency.earlier_request("key_a", "k1") is None
