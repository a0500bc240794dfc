"""The app served on a real port over PostgreSQL, driven only through the official `workos` SDK.

One server runs for the whole session; every test gets a fresh API key and a client, and all
rows are deleted afterwards so tests are independent. Jobs go to a queue of this session's own
on the real Redis, where no worker picks them up: the API's answers, not DNS, are under test.
"""

import threading
import uuid

import pytest
from flask_migrate import upgrade
from redis import Redis
from rq import Queue
from werkzeug.serving import make_server
from workos import WorkOSClient

from portal import create_app
from portal.extensions import db
from portal.services.account import credentials
from tests.environment import REDIS_URL, config_for, delete_all_rows, require_service

PUBLIC_URL = "https://portal.compat.test"
REDIRECT_URI = "https://app.compat.test/callback"


@pytest.fixture(scope="session")
def compat_queue_name():
    """A Redis queue of this session's own, removed at the end."""
    require_service("Redis", REDIS_URL)
    name = f"portal-compat-{uuid.uuid4().hex[:12]}"
    yield name
    with Redis.from_url(REDIS_URL) as connection:
        Queue(name, connection=connection).delete(delete_jobs=True)


@pytest.fixture(scope="session")
def server_app(postgres_url, compat_queue_name):
    """The app on the session's PostgreSQL database, migrated to the latest schema."""
    app = create_app(
        config_for(
            postgres_url,
            PORTAL_PUBLIC_URL=PUBLIC_URL,
            REDIS_URL=REDIS_URL,
            PORTAL_QUEUE_NAME=compat_queue_name,
            PORTAL_REDIRECT_URIS=[REDIRECT_URI],
        )
    )
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def base_url(server_app):
    """The app served by werkzeug on a free loopback port, in a daemon thread."""
    server = make_server("127.0.0.1", 0, server_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="compat-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def app(server_app):
    """The served app in context, for setting up data and reading the database; every row
    is deleted afterwards, so tests are independent."""
    with server_app.app_context():
        yield server_app
        db.session.rollback()
        delete_all_rows()
        db.session.remove()


@pytest.fixture
def sdk_credentials(app):
    """A new API key's secret and the environment's client id, as the SDK is configured."""
    _, secret = credentials.create_api_key("compat")
    return secret, credentials.environment().client_id


@pytest.fixture
def workos(base_url, sdk_credentials):
    """The official SDK pointed at the served app, without retries."""
    secret, client_id = sdk_credentials
    client = WorkOSClient(api_key=secret, client_id=client_id, base_url=base_url, max_retries=0)
    yield client
    client.close()


@pytest.fixture
def check_jobs(compat_queue_name):
    """The DNS check jobs waiting in this session's queue, by domain id."""

    def jobs_for(domain_id: str) -> list:
        with Redis.from_url(REDIS_URL) as connection:
            jobs = Queue(compat_queue_name, connection=connection).get_jobs()
            return [job for job in jobs if job.args == (domain_id,)]

    return jobs_for
