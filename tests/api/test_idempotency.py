from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Event, Organization


def _count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def test_a_retried_post_with_the_same_key_creates_once(api):
    headers = {"Idempotency-Key": "retry-1"}
    first = api.post("/organizations", json={"name": "Acme"}, headers=headers)
    second = api.post("/organizations", json={"name": "Acme"}, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.get_json() == first.get_json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert _count(Organization) == 1
    assert _count(Event) == 1


def test_a_key_reused_for_a_different_body_is_refused(api):
    api.post("/organizations", json={"name": "Acme"}, headers={"Idempotency-Key": "k"})
    response = api.post("/organizations", json={"name": "Other"}, headers={"Idempotency-Key": "k"})
    assert response.status_code == 400
    assert response.get_json()["code"] == "idempotency_key_reused"
    assert _count(Organization) == 1


def test_different_keys_create_separately(api):
    api.post("/organizations", json={"name": "Acme"}, headers={"Idempotency-Key": "a"})
    api.post("/organizations", json={"name": "Acme"}, headers={"Idempotency-Key": "b"})
    assert _count(Organization) == 2


def test_an_empty_204_response_replays_as_empty(api):
    org = api.post("/organizations", json={"name": "Acme"}).get_json()
    body = {"organization": org["id"], "external_user_id": "u1"}
    headers = {"Idempotency-Key": "revoke-1"}
    first = api.post("/portal/revoke_link", json=body, headers=headers)
    second = api.post("/portal/revoke_link", json=body, headers=headers)
    assert first.status_code == second.status_code == 204
    assert second.data == b""


def test_a_replay_after_delete_answers_what_the_first_request_did(api):
    """As WorkOS and Stripe do: the key replays its stored response for its whole lifetime,
    even when the object it made is gone (docs/api-compatibility.md)."""
    key = {"Idempotency-Key": "create-then-delete"}
    first = api.post("/organizations", json={"name": "Gone"}, headers=key)
    organization_id = first.get_json()["id"]
    assert api.delete(f"/organizations/{organization_id}").status_code == 204
    replay = api.post("/organizations", json={"name": "Gone"}, headers=key)
    assert replay.status_code == 201
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.get_json() == first.get_json()
    assert api.get(f"/organizations/{organization_id}").status_code == 404
    assert _count(Organization) == 0
