"""Webhook signing secrets are encrypted at rest, survive a SECRET_KEY rotation, and are not
kept in the clear by the idempotency store."""

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text

from portal import create_app
from portal.errors import SecretUnreadable
from portal.extensions import db
from portal.models import IdempotentRequest, WebhookEndpoint
from portal.services.delivery import webhooks
from portal.services.infra import encryption
from tests.environment import config_for

URL = "https://1.1.1.1/hooks"


def _stored_secret(endpoint_id: str) -> str:
    query = text("SELECT encrypted_secret FROM webhook_endpoints WHERE id = :id")
    return db.session.execute(query, {"id": endpoint_id}).scalar_one()


def test_the_database_holds_only_the_encrypted_secret(app):
    endpoint = webhooks.create_endpoint(URL, ["organization.created"])
    secret = endpoint.secret
    stored = _stored_secret(endpoint.id)
    assert secret.startswith("whsec_")
    assert secret not in stored and stored.startswith("fernet1:")
    db.session.expire_all()
    assert db.session.get(WebhookEndpoint, endpoint.id).secret == secret


def test_secrets_survive_a_secret_key_rotation(app, runner):
    endpoint = webhooks.create_endpoint(URL, ["organization.created"])
    secret, old_key = endpoint.secret, app.config["SECRET_KEY"]

    app.config.update(SECRET_KEY="a-new-secret-key", SECRET_KEY_FALLBACKS=[old_key])
    db.session.expire_all()
    assert db.session.get(WebhookEndpoint, endpoint.id).secret == secret

    result = runner.invoke(args=["portal", "rotate-secrets"])
    assert result.exit_code == 0, result.output
    assert "Re-encrypted 1 webhook secret(s)" in result.output
    assert encryption.is_current(_stored_secret(endpoint.id))

    app.config["SECRET_KEY_FALLBACKS"] = []  # the old key can go now
    db.session.expire_all()
    assert db.session.get(WebhookEndpoint, endpoint.id).secret == secret
    again = runner.invoke(args=["portal", "rotate-secrets"])
    assert "Re-encrypted 0 webhook secret(s)" in again.output


def test_a_lost_key_is_a_clear_error_not_a_wrong_signature(app, runner):
    endpoint = webhooks.create_endpoint(URL, ["organization.created"])
    app.config["SECRET_KEY"] = "somebody-changed-it"
    db.session.expire_all()
    with pytest.raises(SecretUnreadable, match="neither SECRET_KEY nor"):
        db.session.get(WebhookEndpoint, endpoint.id).secret  # noqa: B018
    result = runner.invoke(args=["portal", "rotate-secrets"])
    assert result.exit_code == 1
    assert "Add the key that sealed it to SECRET_KEY_FALLBACKS" in result.output


def test_an_altered_value_is_refused(app):
    sealed = encryption.encrypt("whsec_x")
    with pytest.raises(SecretUnreadable, match="altered"):
        encryption.decrypt(sealed[:-4] + "AAAA")


class TestIdempotentCreate:
    def _create(self, api):
        body = {"endpoint_url": URL, "events": ["organization.created"]}
        return api.post("/webhook_endpoints", json=body, headers={"Idempotency-Key": "k1"})

    def test_the_remembered_response_has_no_secret_but_a_replay_does(self, api):
        first = self._create(api).get_json()
        remembered = db.session.scalars(select(IdempotentRequest)).one()
        assert remembered.response_body["secret"] == ""
        assert first["secret"] not in str(remembered.response_body)
        replay = self._create(api)
        assert replay.headers["Idempotent-Replayed"] == "true"
        assert replay.status_code == 201 and replay.get_json() == first

    def test_a_replay_after_the_endpoint_was_deleted_has_no_secret(self, api):
        first = self._create(api).get_json()
        assert api.delete(f"/webhook_endpoints/{first['id']}").status_code == 204
        replay = self._create(api).get_json()
        assert replay == {**first, "secret": ""}


def test_the_migration_encrypts_existing_secrets_and_forgets_remembered_ones(tmp_path):
    app = create_app(config_for(f"sqlite:///{tmp_path / 'old.db'}"))
    directory = app.extensions["migrate"].directory
    with app.app_context():
        upgrade(directory=directory, revision="0008")
        db.session.execute(
            text(
                "INSERT INTO webhook_endpoints (id, endpoint_url, secret, status, events,"
                " created_at, updated_at) VALUES ('we_1', :url, 'whsec_old', 'enabled',"
                " '[\"organization.created\"]', '2026-01-01', '2026-01-01')"
            ),
            {"url": URL},
        )
        db.session.execute(
            text(
                "INSERT INTO idempotent_requests (id, api_key_id, idempotency_key,"
                " request_digest, response_status, response_body, created_at) VALUES"
                " ('ir_1', 'key_1', 'k', 'd', 201, :body, '2026-01-01')"
            ),
            {"body": '{"object": "webhook_endpoint", "id": "we_1", "secret": "whsec_old"}'},
        )
        db.session.commit()
        upgrade(directory=directory)
        assert db.session.get(WebhookEndpoint, "we_1").secret == "whsec_old"
        assert "whsec_old" not in _stored_secret("we_1")
        remembered = db.session.get(IdempotentRequest, "ir_1").response_body
        assert remembered == {"object": "webhook_endpoint", "id": "we_1", "secret": ""}
        db.session.remove()
        db.engine.dispose()
