"""PostgreSQL restarted under load: while it is down every request gets a clean 503 in its
audience's shape; once it is back, the same gunicorn workers serve again (no restart) and no
write that got a 2xx is lost. The cluster is the test's own; the shared server is never touched."""

import time

import pytest

from tests.environment import sized
from tests.faults.traffic import Outcomes, is_clean_503, set_up_tenant, under_load

AUDIENCES = ("api", "scim", "page")
DOWN_SECONDS = 2


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
    own_postgres, make_deployment, tmp_path
):
    deployment = make_deployment()  # jobs run in the web processes: no Redis here
    server = deployment.server
    tenant = set_up_tenant(server.url, deployment.env, tmp_path)
    workers = server.worker_pids()
    with under_load(tenant, AUDIENCES) as outcomes:
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

    assert outcomes.unclean == []
    assert server.worker_pids() == workers  # served throughout by the same processes
    organizations = {name for (name,) in own_postgres.query("SELECT name FROM organizations")}
    assert set(outcomes.created["api"]) <= organizations
    users = {name for (name,) in own_postgres.query("SELECT user_name FROM directory_users")}
    assert set(outcomes.created["scim"]) <= users
