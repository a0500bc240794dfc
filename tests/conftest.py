"""Fixtures: the app on real PostgreSQL and SQLite, real Redis, and clean state per test.

Every test that uses `app` runs once per database (`--databases`, default both), but for
tests marked `databases("postgresql")`: those of real worker processes, which deployments run
on PostgreSQL (the jobs' own logic runs in-process on both). Each test
session gets its own PostgreSQL database and its own Redis queue names, so parallel runs and
leftovers cannot interfere. An unreachable service fails the tests that need it, never
skips them (`make test` starts the services first).

Every test directory shares the same principals, defined here once: `org` (the customer),
`api` (the developer's code, with `api_key`), `admin_client(...)` (the customer's IT admin,
through a magic link) and `dashboard_client` (the developer, signed in to the dashboard).
What tests share that is not a fixture lives in plain modules beside this one
(environment, factories, magic_links, pages, dashboard_login): a conftest is not a library.
"""

import os
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from flask_migrate import upgrade

from portal import create_app
from portal.extensions import db
from portal.services.account import credentials
from tests.dashboard_login import EMAIL, PASSWORD, sign_in
from tests.environment import (
    POSTGRES_ADMIN_URL,
    REDIS_URL,
    config_for,
    delete_all_rows,
    require_service,
)
from tests.factories import make_api_key, make_organization, make_portal_link
from tests.magic_links import launch_path

BACKENDS = ("sqlite", "postgresql")


def pytest_addoption(parser):
    parser.addoption(
        "--databases",
        default=",".join(BACKENDS),
        help="comma list of databases to run database tests on (sqlite,postgresql)",
    )


def pytest_generate_tests(metafunc):
    if "database_url" in metafunc.fixturenames:
        chosen = metafunc.config.getoption("databases").split(",")
        only = metafunc.definition.get_closest_marker("databases")
        backends = [b for b in BACKENDS if b in chosen and (not only or b in only.args)]
        metafunc.parametrize("database_url", backends, indirect=True, scope="session")


@pytest.fixture(scope="session")
def run_id():
    return f"{os.getpid()}_{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="session")
def postgres_url(run_id):
    """A fresh PostgreSQL database for this test session, dropped at the end."""
    require_service("PostgreSQL", POSTGRES_ADMIN_URL)
    name = f"portal_test_{run_id}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(POSTGRES_ADMIN_URL)
    yield f"postgresql+psycopg://{parts.netloc}/{name}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def database_url(request, tmp_path_factory):
    """A migrated database of the requested backend, shared by the session's tests."""
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_url")
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'portal.db'}"
    app = create_app(config_for(url))
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        db.engine.dispose()
    return url


@pytest.fixture
def app_config():
    """Per-test settings merged over the defaults; a test may add to it before using `app`."""
    return {}


@pytest.fixture
def app(database_url, app_config):
    app = create_app(config_for(database_url, **app_config))
    with app.app_context():
        yield app
        if hasattr(app.extensions["portal_queue"], "stop"):
            app.extensions["portal_queue"].stop()  # no job of this test outlives its database
        db.session.rollback()
        delete_all_rows()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def org(request, app):
    """Acme Corp, claiming acme.test (pending), made through the organizations service.

    A test that needs another name or other domains parametrizes it indirectly with
    `tests.factories.org_with(...)`, e.g. `@org_with(domains=[])` or `WITH_VERIFIED_DOMAIN`.
    """
    fields = {"name": "Acme Corp", "domains": ["acme.test"], **getattr(request, "param", {})}
    return make_organization(**fields)


@pytest.fixture
def api_key(app):
    """The secret of a fresh API key."""
    return make_api_key()


@pytest.fixture
def api(app, api_key):
    """A test client that sends the API key with every request, as the developer's code does."""
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {api_key}"
    return client


@pytest.fixture
def admin_client(request, app):
    """A factory: `admin_client(*intents, organization=org, **link_fields)` is a new test
    client signed in to the IT-admin portal through a real magic link, as the app's API
    hands one out (`link_fields`: return_url, success_url, external_user_id, intent_options)."""

    def signed_in(*intents: str, organization=None, **link_fields):
        # `org` is made only when used: a test signing in elsewhere has no Acme Corp about.
        organization = organization or request.getfixturevalue("org")
        _, url = make_portal_link(organization, list(intents), **link_fields)
        client = app.test_client()
        launched = client.get(launch_path(url))
        assert launched.status_code == 302, launched.get_data(as_text=True)
        return client

    return signed_in


@pytest.fixture
def dashboard_user(app):
    """The developer's dashboard account (tests/dashboard_login.py has its email and password)."""
    return credentials.create_dashboard_user(EMAIL, PASSWORD)


@pytest.fixture
def dashboard_client(client, dashboard_user):
    """The test client, signed in to the dashboard through its sign-in form."""
    response = sign_in(client)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture
def redis_url():
    require_service("Redis", REDIS_URL)
    return REDIS_URL


@pytest.fixture
def queue_name(redis_url):
    """A queue of this test's own on the real Redis, emptied afterwards."""
    from redis import Redis
    from rq import Queue

    name = f"portal-test-{uuid.uuid4().hex[:12]}"
    yield name
    connection = Redis.from_url(redis_url)
    Queue(name, connection=connection).empty()
    for key in connection.scan_iter(f"rq:*{name}*"):
        connection.delete(key)


@pytest.fixture(scope="session")
def project_root():
    return Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def dns_server(tmp_path_factory):
    """A real DNS server on loopback; each test serves the zone it needs."""
    from tests.peers.dns_server import ZoneServer

    server = ZoneServer(tmp_path_factory.mktemp("dns"))
    yield server
    server.stop()


@pytest.fixture
def make_receiver():
    """Real webhook receivers on loopback (see tests/peers/webhook_receiver.py), stopped after."""
    from tests.peers.webhook_receiver import WebhookReceiver

    made = []

    def make(path: str = "/hooks") -> WebhookReceiver:
        made.append(WebhookReceiver(path))
        return made[-1]

    yield make
    for receiver in made:
        receiver.stop()


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on loopback; `received` holds what it was sent."""
    from tests.peers.smtp_server import SmtpServer

    server = SmtpServer()
    yield server
    server.stop()
