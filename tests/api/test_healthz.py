import pytest

from portal import create_app
from portal.extensions import db


def test_healthz_reports_database_and_queue(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok"
    assert body["database"]["dialect"] in ("sqlite", "postgresql")
    assert body["queue"] == {"status": "ok", "backend": "in-process", "queued": 0}


def test_healthz_is_503_when_the_database_is_down():
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://postgres@127.0.0.1:1/none",
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 1}},
            "REDIS_URL": None,
            # Its job thread would go on running periodic jobs against the dead database,
            # logging their failures into the rest of the run.
            "PORTAL_INPROCESS_WORKER": False,
        }
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert body["database"]["status"] == "unavailable"
    assert body["queue"]["status"] == "ok"


class TestWithRedis:
    @pytest.fixture
    def app_config(self, redis_url, queue_name):
        return {"REDIS_URL": redis_url, "PORTAL_QUEUE_NAME": queue_name}

    def test_healthz_reports_the_redis_queue(self, client):
        body = client.get("/healthz").get_json()
        assert body["queue"]["status"] == "ok"
        assert body["queue"]["backend"] == "redis"


def test_healthz_is_503_when_redis_is_down(database_url):
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "REDIS_URL": "redis://127.0.0.1:1/0",
        }
    )
    response = app.test_client().get("/healthz")
    with app.app_context():
        db.engine.dispose()  # else its pooled connection is left for the garbage collector
    assert response.status_code == 503
    body = response.get_json()
    assert body["database"]["status"] == "ok"
    assert body["queue"]["status"] == "unavailable"
    assert body["queue"]["backend"] == "redis"
