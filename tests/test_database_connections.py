"""Pooled PostgreSQL connections the server has closed are replaced, not used."""

import time

import psycopg
import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from portal import create_app
from portal.extensions import db
from portal.services.infra import database
from tests.environment import POSTGRES_ADMIN_URL, config_for


@pytest.fixture
def postgres_app(postgres_url):
    app = create_app(config_for(postgres_url))
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        yield app
        db.session.remove()
        db.engine.dispose()


def _pooled_backend_pid(app) -> int:
    with app.test_request_context():
        pid = db.session.scalar(text("SELECT pg_backend_pid()"))
        db.session.remove()  # back to the pool
    return pid


def _terminate(pid: int) -> None:
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        deadline = time.monotonic() + 10
        while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone():
            assert time.monotonic() < deadline, "the backend did not end"
            time.sleep(0.05)


def test_a_connection_the_server_ended_is_replaced_before_a_request_uses_it(postgres_app):
    client = postgres_app.test_client()
    assert client.get("/healthz").status_code == 200
    old_pid = _pooled_backend_pid(postgres_app)
    _terminate(old_pid)  # as a server restart or an idle-session timeout would

    response = client.get("/healthz")

    assert response.status_code == 200, response.get_json()
    assert _pooled_backend_pid(postgres_app) != old_pid


def test_a_long_idle_connection_is_pinged_and_stays_usable(postgres_app, monkeypatch):
    monkeypatch.setattr(database, "IDLE_PING_SECONDS", 0.0)
    pid = _pooled_backend_pid(postgres_app)

    with postgres_app.test_request_context():
        # The ping ran in autocommit; the request's own work is a transaction again.
        db.session.execute(text("CREATE TEMPORARY TABLE ping_probe (n int)"))
        db.session.rollback()
        assert db.session.scalar(text("SELECT to_regclass('pg_temp.ping_probe')")) is None
        assert db.session.scalar(text("SELECT pg_backend_pid()")) == pid
        db.session.remove()


def test_a_request_whose_connection_the_server_ended_mid_transaction_still_gets_its_answer(
    postgres_app,
):
    def read_then_lose_the_connection():
        _terminate(db.session.scalar(text("SELECT pg_backend_pid()")))  # as a restart would
        return "answered"

    postgres_app.add_url_rule("/_lost_mid_transaction", view_func=read_then_lose_the_connection)
    client = postgres_app.test_client()

    # The transaction left open is ended as the request ends; its rollback cannot reach the
    # server, and that must not turn the answer into a 500.
    response = client.get("/_lost_mid_transaction")

    assert response.status_code == 200
    assert client.get("/healthz").status_code == 200
