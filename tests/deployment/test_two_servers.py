"""Scale-out, proven: two web servers (separate `portal serve` processes on different ports) and
two `portal worker` processes on one PostgreSQL and one Redis, started with the commands of
deploy/Procfile. A session, a sign-in and the event stream do not care which server or worker
they meet; periodic jobs run once per period, not once per worker."""

import json
import os
import re
import signal
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import psycopg
import pytest
import requests
from redis import Redis

from portal import create_app
from portal.extensions import db
from portal.services.account import credentials
from portal.services.delivery import webhooks
from tests.environment import POSTGRES_ADMIN_URL, REDIS_URL, config_for, require_service
from tests.factories import make_organization, make_portal_link, make_saml_connection
from tests.peers.dns_server import free_port
from tests.peers.saml_idp import SigningIdp
from tests.peers.webhook_receiver import WebhookReceiver
from tests.portal_command import PORTAL, last_line, portal

REDIRECT_URI = "https://app.example.com/callback"
RELAY_EVERY_SECONDS = 2
SECRET_KEY = "two-servers-secret-key-of-enough-length"
TIMEOUT = 30  # seconds; generous, for a loaded machine


@dataclass
class Deployment:
    web: list[str]  # base URLs of the two web servers
    worker_logs: list[Path]
    operator: object  # an app on the same database and Redis, for what the test sets up
    api_key: str


def _wait_until_answering(url: str, within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    while True:
        try:
            requests.get(url, timeout=TIMEOUT)
            return
        except (requests.ConnectionError, requests.Timeout):
            assert time.monotonic() < deadline, f"{url} did not answer"
            time.sleep(0.2)


@pytest.fixture(scope="module")
def deployment_database():
    require_service("PostgreSQL", POSTGRES_ADMIN_URL)
    name = f"portal_two_servers_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"postgresql+psycopg://{urlsplit(POSTGRES_ADMIN_URL).netloc}/{name}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def deployment(deployment_database, tmp_path_factory):
    database_url = deployment_database
    require_service("Redis", REDIS_URL)
    folder = tmp_path_factory.mktemp("two-servers")
    queue_name = f"portal-two-servers-{uuid.uuid4().hex[:10]}"
    ports = [free_port(), free_port()]
    env = {
        **os.environ,
        "PORTAL_ENV": "development",
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "PORTAL_QUEUE_NAME": queue_name,
        "SECRET_KEY": SECRET_KEY,
        # Both servers stand behind one public address; the first plays it.
        "PORTAL_PUBLIC_URL": f"http://127.0.0.1:{ports[0]}",
        "PORTAL_REDIRECT_URIS": REDIRECT_URI,
        "PORTAL_OUTBOUND_ALLOW_PRIVATE": "1",
        "PORTAL_PERIODIC_EVERY_SECONDS": f"tasks.webhooks.relay={RELAY_EVERY_SECONDS}",
    }
    portal(env, "init")
    api_key = last_line(portal(env, "create-api-key", "--name", "app"))
    processes = []
    serve = ("serve", "--workers", "2", "--threads", "2", "--port")
    for port in ports:
        processes.append(
            subprocess.Popen(
                [PORTAL, *serve, str(port)],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        )
    worker_logs = [folder / "worker-1.log", folder / "worker-2.log"]
    for log_path in worker_logs:
        with log_path.open("wb") as log:
            processes.append(
                subprocess.Popen(
                    [PORTAL, "worker"],
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
    operator = create_app(
        config_for(
            database_url,
            REDIS_URL=REDIS_URL,
            PORTAL_QUEUE_NAME=queue_name,
            SECRET_KEY=SECRET_KEY,
            PORTAL_PUBLIC_URL=env["PORTAL_PUBLIC_URL"],
            PORTAL_REDIRECT_URIS=[REDIRECT_URI],
            PORTAL_OUTBOUND_ALLOW_PRIVATE=True,
        )
    )
    web = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for base in web:
            _wait_until_answering(f"{base}/healthz")
        with operator.app_context():
            yield Deployment(web, worker_logs, operator, api_key)
            db.session.remove()
            db.engine.dispose()
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            process.wait(timeout=60)
        connection = Redis.from_url(REDIS_URL)
        for key in connection.scan_iter(f"*{queue_name}*"):
            connection.delete(key)


def test_a_portal_session_started_on_one_server_continues_on_the_other(deployment):
    first, second = deployment.web
    org = make_organization("Globex", domains=["globex.test"])
    _, url = make_portal_link(org, ["domain_verification"])
    browser = requests.Session()
    launched = browser.get(
        f"{first}/admin/launch?{urlsplit(url).query}", allow_redirects=False, timeout=TIMEOUT
    )
    assert launched.status_code == 302
    page = browser.get(second + urlsplit(launched.headers["Location"]).path, timeout=TIMEOUT)
    assert page.status_code == 200
    assert "globex.test" in page.text
    stranger = requests.get(second + urlsplit(launched.headers["Location"]).path, timeout=TIMEOUT)
    assert "globex.test" not in stranger.text


def test_a_saml_sign_in_started_on_one_server_completes_on_the_other(deployment, tmp_path):
    first, second = deployment.web
    idp = SigningIdp(tmp_path)
    org = make_organization("Initech", domains=[("initech.test", "verified")])
    connection = make_saml_connection(org, idp)
    metadata = tmp_path / "sp.xml"
    metadata.write_bytes(
        requests.get(f"{first}/sso/saml/{connection.id}/metadata", timeout=TIMEOUT).content
    )
    idp.trust_service_provider(metadata)
    client_id = credentials.environment().client_id
    authorize = {
        "client_id": client_id,
        "redirect_uri": REDIRECT_URI,
        "response_type": "code",
        "state": "s1",
        "connection": connection.id,
    }
    started = requests.get(
        f"{first}/sso/authorize", params=authorize, allow_redirects=False, timeout=TIMEOUT
    )
    assert started.status_code == 302
    acs_path = f"/sso/saml/{connection.id}/acs"
    saml_response = idp.respond(
        sp_entity_id=f"{first}/sso/saml/{connection.id}",
        destination=first + acs_path,
        in_response_to=idp.request_id(started.headers["Location"]),
    )
    finished = requests.post(
        second + acs_path,
        data={"SAMLResponse": saml_response},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert finished.status_code == 302, finished.text
    code = parse_qs(urlsplit(finished.headers["Location"]).query)["code"][0]
    token = requests.post(
        f"{first}/sso/token",
        json={
            "client_id": client_id,
            "client_secret": deployment.api_key,
            "grant_type": "authorization_code",
            "code": code,
        },
        timeout=TIMEOUT,
    )
    assert token.status_code == 200, token.text
    assert token.json()["profile"]["email"] == "jane@acme.test"


def test_every_event_is_delivered_exactly_once(deployment):
    receiver = WebhookReceiver()
    try:
        endpoint = webhooks.create_endpoint(receiver.url, ["organization.created"])
        receiver.secret = webhooks.current_secret(endpoint.id)
        created = []
        for index in range(20):
            server = deployment.web[index % 2]
            answer = requests.post(
                f"{server}/organizations",
                json={"name": f"Org {index}"},
                headers={"Authorization": f"Bearer {deployment.api_key}"},
                timeout=TIMEOUT,
            )
            assert answer.status_code == 201, answer.text
            created.append(answer.json()["id"])
        deadline = time.monotonic() + 60
        while len(receiver.accepted()) < len(created):
            assert time.monotonic() < deadline, f"{len(receiver.accepted())} of {len(created)}"
            time.sleep(0.2)
        time.sleep(2 * RELAY_EVERY_SECONDS)  # a relay or two more: nothing is sent again
        delivered = [arrival for arrival in receiver.arrivals if arrival.signature_ok]
        organizations = sorted(_organization_of(arrival) for arrival in delivered)
        assert organizations == sorted(created)
        assert receiver.duplicates == 0
    finally:
        receiver.stop()


def test_each_periodic_job_runs_once_per_period(deployment):
    time.sleep(5 * RELAY_EVERY_SECONDS)
    finished = [
        job_id for log in deployment.worker_logs for job_id in RELAY_RUN.findall(log.read_text())
    ]
    assert len(finished) >= 4, "the relay did not keep running"
    assert len(set(finished)) == len(finished), "a period's run ran on both workers"


RELAY_RUN = re.compile(r"Job OK \((periodic-\S+-tasks-webhooks-relay-\d+)\)")


def _organization_of(arrival) -> str:
    return json.loads(arrival.body)["data"]["id"]
