"""PostgreSQL restarted under load: while it is down every request gets a clean 503 in its
audience's shape; once it is back, the same gunicorn workers serve again (no restart) and no
write that got a 2xx is lost. The cluster is the test's own; the shared server is never touched."""

import threading
import time

import pytest

from tests.environment import sized
from tests.faults.traffic import Outcomes, is_clean_503, keep_sending, set_up_tenant
from tests.peers.portal_server import PortalServer, deployment_env, portal_cli

AUDIENCES = ("api", "scim", "page")
DOWN_SECONDS = 2


@pytest.fixture
def served(own_postgres, tmp_path):
    env = deployment_env(own_postgres.url)
    portal_cli("init", env=env, cwd=tmp_path)
    server = PortalServer(env, tmp_path / "serve.log")
    yield env, server
    server.stop()


def _wait_for_successes(outcomes: Outcomes, since: dict, server, within: float = 30) -> dict:
    """Wait until every audience has had three more 2xx answers than in `since`."""
    deadline = time.monotonic() + within
    while True:
        now = {a: outcomes.count(a, 201 if a != "page" else 200) for a in AUDIENCES}
        if all(now[a] >= since.get(a, 0) + 3 for a in AUDIENCES):
            return now
        if time.monotonic() > deadline:
            pytest.fail(f"no recovery: {now} since {since}; {outcomes.unclean}\n{server.log()}")
        time.sleep(0.1)


def test_a_postgres_restart_under_load_gives_clean_503s_then_recovery_with_nothing_lost(
    own_postgres, served, tmp_path
):
    env, server = served
    tenant = set_up_tenant(server.url, env, tmp_path)
    workers = server.worker_pids()
    outcomes, stop = Outcomes(), threading.Event()
    threads = [
        threading.Thread(target=keep_sending, args=(tenant, audience, outcomes, stop))
        for audience in AUDIENCES
    ]
    for thread in threads:
        thread.start()
    try:
        successes = _wait_for_successes(outcomes, {}, server)
        for _ in range(sized(1, 5)):
            own_postgres.stop()
            down = {
                "api": tenant.create_organization()[1],
                "scim": tenant.create_scim_user()[1],
                "page": tenant.page(),
            }
            time.sleep(DOWN_SECONDS)
            own_postgres.start()
            for audience, response in down.items():
                assert is_clean_503(audience, response), (audience, response.text)
            successes = _wait_for_successes(outcomes, successes, server)
    finally:
        stop.set()
        for thread in threads:
            thread.join()

    assert outcomes.unclean == []
    assert server.worker_pids() == workers  # served throughout by the same processes
    organizations = {name for (name,) in own_postgres.query("SELECT name FROM organizations")}
    assert set(outcomes.created["api"]) <= organizations
    users = {name for (name,) in own_postgres.query("SELECT user_name FROM directory_users")}
    assert set(outcomes.created["scim"]) <= users
