"""Rate limits on the public endpoints: each trips at its setting, answers in its audience's
shape with Retry-After, and leaves other addresses, connections and emails alone; on the
real Redis and in memory alike. SCIM counts only refused tokens: an IdP with a good token
is never slowed. docs/security.md ("Rate limits") points here."""

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.factories import make_directory, make_organization, make_saml_connection
from tests.peers.dns_server import free_port
from tests.peers.redis_server import OwnRedis
from tests.peers.saml_idp import SigningIdp

LIMIT = 3
PORTAL = str(Path(sys.executable).parent / "portal")
SMALL_LIMITS = {
    name: f"{LIMIT} per minute"
    for name in (
        "PORTAL_RATE_LIMIT_SSO_RESPONSES",
        "PORTAL_RATE_LIMIT_SSO_TOKEN",
        "PORTAL_RATE_LIMIT_SSO_AUTHORIZE",
        "PORTAL_RATE_LIMIT_DASHBOARD_SIGN_IN_IP",
        "PORTAL_RATE_LIMIT_DASHBOARD_SIGN_IN_EMAIL",
        "PORTAL_RATE_LIMIT_ADMIN_LAUNCH",
        "PORTAL_RATE_LIMIT_SCIM_AUTH_FAILURES",
    )
}
ADDRESS, OTHER_ADDRESS = "198.51.100.7", "203.0.113.9"


@pytest.fixture(params=["memory", "redis"])
def storage(request):
    """Where the counters live: this process's memory, or the real Redis under a queue name
    of this test's own."""
    if request.param == "memory":
        return {"REDIS_URL": None}
    return {
        "REDIS_URL": request.getfixturevalue("redis_url"),
        "PORTAL_QUEUE_NAME": request.getfixturevalue("queue_name"),
    }


@pytest.fixture
def app_config(storage):
    return {**SMALL_LIMITS, **storage}


@pytest.fixture(scope="module")
def idp(tmp_path_factory):
    return SigningIdp(tmp_path_factory.mktemp("rate-limit-idp"))


@pytest.fixture
def connections(app, idp) -> tuple[str, str]:
    first = make_saml_connection(make_organization("Acme"), idp)
    second = make_saml_connection(make_organization("Globex"), idp)
    return first.id, second.id


def _from(client, address: str):
    client.environ_base["REMOTE_ADDR"] = address
    return client


@dataclass
class Case:
    """One limited endpoint: how to call it, and which call is counted apart from it."""

    send: object  # (client, connection id, email) -> response
    shape: str
    apart: tuple[str, ...] = ()  # what else, besides the address, counts apart


def _acs(client, connection_id, email):
    return client.post(f"/sso/saml/{connection_id}/acs", data={"SAMLResponse": "bm90IHhtbA=="})


def _oidc_callback(client, connection_id, email):
    return client.get(f"/sso/oidc/{connection_id}/callback", query_string={"state": "forged"})


def _authorize(client, connection_id, email):
    query = {"connection": connection_id, "response_type": "code", "state": "s"}
    return client.get("/sso/authorize", query_string=query)


def _token(client, connection_id, email):
    return client.post("/sso/token", json={"client_id": "client_x", "code": "guessed"})


def _dashboard_sign_in(client, connection_id, email):
    return client.post("/dashboard/login", data={"email": email, "password": "guess"})


def _launch(client, connection_id, email):
    return client.get("/admin/launch", query_string={"token": "forged.token"})


CASES = {
    "saml_acs": Case(_acs, "page", ("connection",)),
    "oidc_callback": Case(_oidc_callback, "page", ("connection",)),
    "sso_authorize": Case(_authorize, "page"),
    "sso_token": Case(_token, "oauth"),
    "dashboard_sign_in": Case(_dashboard_sign_in, "page"),
    "admin_launch": Case(_launch, "page"),
}


def _assert_shape(response, shape: str) -> None:
    assert response.status_code == 429
    # The minute's window opened with the first of this test's few requests: what is left of
    # it, not a fixed figure (a loaded machine may have spent some seconds since).
    assert 40 <= int(response.headers["Retry-After"]) <= 60
    if shape == "page":
        assert response.mimetype == "text/html"
        assert "Wait a minute" in response.get_data(as_text=True)
    elif shape == "oauth":
        body = response.get_json()
        assert body["error"] == body["code"] == "rate_limit_exceeded"
        assert body["error_description"] == body["message"]
    elif shape == "scim":
        assert response.mimetype == "application/scim+json"
        body = response.get_json()
        assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
        assert body["status"] == "429"


def _call(case, client, connection_id, address="", email="dev@example.com"):
    return case.send(_from(client, address or ADDRESS), connection_id, email)


@pytest.mark.parametrize("name", CASES)
def test_each_limit_trips_at_its_setting_in_its_audiences_shape(client, connections, name):
    case = CASES[name]
    allowed = [_call(case, client, connections[0]).status_code for _ in range(LIMIT)]
    assert 429 not in allowed
    _assert_shape(_call(case, client, connections[0]), case.shape)


@pytest.mark.parametrize("name", CASES)
def test_a_tripped_limit_leaves_other_addresses_connections_and_emails_alone(
    client, connections, name
):
    case = CASES[name]
    for _ in range(LIMIT + 1):
        _call(case, client, connections[0])
    assert _call(case, client, connections[0]).status_code == 429
    # (Another address with another email: the dashboard also counts per email, below.)
    other = _call(case, client, connections[0], OTHER_ADDRESS, "other@example.com")
    assert other.status_code != 429
    if "connection" in case.apart:
        assert _call(case, client, connections[1]).status_code != 429


@pytest.mark.parametrize(
    "app_config",
    [{**SMALL_LIMITS, "PORTAL_RATE_LIMIT_DASHBOARD_SIGN_IN_IP": "100 per minute"}],
)
def test_one_email_is_limited_whichever_address_it_comes_from(client):
    addresses = [f"192.0.2.{n}" for n in range(LIMIT + 1)]
    statuses = [
        _dashboard_sign_in(_from(client, a), "", "dev@example.com").status_code for a in addresses
    ]
    assert statuses[:LIMIT] == [401] * LIMIT
    assert statuses[LIMIT] == 429
    assert _dashboard_sign_in(_from(client, ADDRESS), "", "other@example.com").status_code == 401


def test_signing_in_page_itself_is_not_limited(client):
    statuses = {_from(client, ADDRESS).get("/dashboard/login").status_code for _ in range(10)}
    assert statuses == {200}


def _scim(client, directory_id: str, token: str, address: str = ADDRESS):
    headers = {"Authorization": f"Bearer {token}"}
    return _from(client, address).get(f"/scim/v2/{directory_id}/Users", headers=headers)


def test_refused_scim_tokens_trip_the_limit_in_the_scim_error_shape(client):
    directory, _ = make_directory(make_organization("Acme"))
    statuses = [_scim(client, directory.id, "wrong").status_code for _ in range(LIMIT)]
    assert statuses == [401] * LIMIT
    _assert_shape(_scim(client, directory.id, "wrong"), "scim")
    assert _scim(client, directory.id, "wrong", OTHER_ADDRESS).status_code == 401


def test_an_idps_good_token_is_never_limited(client):
    directory, token = make_directory(make_organization("Acme"))
    pushes = [_scim(client, directory.id, token).status_code for _ in range(LIMIT * 3)]
    assert pushes == [200] * (LIMIT * 3)
    for _ in range(LIMIT + 1):
        _scim(client, directory.id, "wrong")
    assert _scim(client, directory.id, "wrong").status_code == 429
    # The same address, tripped for bad tokens, still serves the good one.
    assert _scim(client, directory.id, token).status_code == 200


@pytest.mark.parametrize("app_config", [{**SMALL_LIMITS, "PORTAL_RATE_LIMITS_ENABLED": False}])
def test_limits_can_be_turned_off(client):
    statuses = {_token(_from(client, ADDRESS), "", "").status_code for _ in range(LIMIT * 2)}
    assert statuses == {401}


@pytest.mark.parametrize("app_config", [{**SMALL_LIMITS, "PORTAL_PROXY_HOPS": 0}])
def test_facing_clients_directly_a_forged_forwarded_for_changes_nothing(client):
    statuses = [
        _from(client, ADDRESS)
        .post("/sso/token", json={}, headers={"X-Forwarded-For": f"192.0.2.{n}"})
        .status_code
        for n in range(LIMIT + 1)
    ]
    assert statuses == [401] * LIMIT + [429]


@pytest.mark.parametrize("app_config", [{**SMALL_LIMITS, "PORTAL_PROXY_HOPS": 1}])
def test_behind_one_proxy_the_address_it_forwards_is_the_one_limited(client):
    def through_proxy(forwarded_for: str) -> int:
        headers = {"X-Forwarded-For": forwarded_for}
        return _from(client, "10.0.0.2").post("/sso/token", json={}, headers=headers).status_code

    assert [through_proxy(f"192.0.2.{n}") for n in range(LIMIT + 1)] == [401] * (LIMIT + 1)
    # A client's own forged entry sits left of the one our proxy appended: not believed.
    forged = [through_proxy(f"192.0.2.{n}, {ADDRESS}") for n in range(LIMIT + 1)]
    assert forged == [401] * LIMIT + [429]


class TestWhenRedisGoesAway:
    """Counters move to this process's memory; nobody gets a 500 for it."""

    @pytest.fixture
    def own_redis(self):
        redis = OwnRedis()
        redis.start()
        yield redis
        redis.stop()

    @pytest.fixture
    def app_config(self, own_redis):
        return {**SMALL_LIMITS, "REDIS_URL": own_redis.url}

    def test_limits_go_on_in_memory_after_redis_stops(self, client, own_redis):
        assert _token(_from(client, ADDRESS), "", "").status_code == 401  # counted in Redis
        own_redis.stop()
        statuses = [_token(_from(client, ADDRESS), "", "").status_code for _ in range(LIMIT + 1)]
        assert statuses == [401] * LIMIT + [429]

    def test_scim_and_pages_answer_as_usual_with_redis_gone(self, client, own_redis):
        directory, token = make_directory(make_organization("Acme"))
        own_redis.stop()
        assert _scim(client, directory.id, token).status_code == 200
        refused = [_scim(client, directory.id, "wrong").status_code for _ in range(LIMIT + 1)]
        assert refused == [401] * LIMIT + [429]
        assert _launch(_from(client, ADDRESS), "", "").status_code != 500


def test_web_processes_share_their_counters_in_redis(redis_url, queue_name, tmp_path):
    """Two gunicorn workers, one limit: the deployment's processes count together."""
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.db'}",
        "REDIS_URL": redis_url,
        "PORTAL_QUEUE_NAME": queue_name,
        "PORTAL_PUBLIC_URL": "http://127.0.0.1",
        "PORTAL_RATE_LIMITS_ENABLED": "true",
        "PORTAL_RATE_LIMIT_SSO_TOKEN": f"{LIMIT * 2} per minute",
    }
    subprocess.run([PORTAL, "init"], env=environment, cwd=tmp_path, check=True, timeout=60)
    port = free_port()
    server = subprocess.Popen(
        [PORTAL, "serve", "--port", str(port), "--workers", "2"],
        env=environment,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_up(port)
        statuses = [_post_token_over_http(port) for _ in range(LIMIT * 2 + 1)]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert statuses == [401] * (LIMIT * 2) + [429]


def _post_token_over_http(port: int) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/sso/token",
        data=b'{"code": "guessed"}',
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310  (loopback)
            return answer.status
    except urllib.error.HTTPError as refused:
        return refused.code


def _wait_until_up(port: int, within: float = 60.0) -> None:
    """Both workers up: the health check answers (it is not rate limited)."""
    deadline = time.monotonic() + within
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5):
                return
        except OSError:
            assert time.monotonic() < deadline, "portal serve did not answer"
            time.sleep(0.2)
