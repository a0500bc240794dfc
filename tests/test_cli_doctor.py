"""`portal doctor` passes on the `make run` setup (SQLite, no Redis) and, for each part that is
wrong, fails with one line saying what to do."""

import os
import signal
import subprocess
import time

import pytest

from tests.peers.dns_server import free_port
from tests.portal_command import PORTAL


@pytest.fixture(scope="module")
def environment(tmp_path_factory):
    """The `make run` setup, initialised once: doctor only reads it."""
    folder = tmp_path_factory.mktemp("doctor")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'portal.db'}",
        "REDIS_URL": "",
        "PORTAL_ENV": "development",
        "PORTAL_PUBLIC_URL": "http://localhost:5000",
    }
    subprocess.run([PORTAL, "init"], env=env, check=True, capture_output=True, timeout=60)
    return env


def doctor(env) -> tuple[int, dict[str, tuple[str, str]]]:
    done = subprocess.run([PORTAL, "doctor"], env=env, capture_output=True, text=True, timeout=60)
    lines = {}
    for line in done.stdout.splitlines():
        level, part, says = line.split(maxsplit=2)
        lines.setdefault(part, (level, says))
    return done.returncode, lines


def test_the_make_run_setup_passes(environment):
    code, lines = doctor(environment)
    assert code == 0
    assert lines["database"][0] == lines["schema"][0] == lines["queue"][0] == "ok"
    assert "jobs run inside the web process" in lines["queue"][1]
    assert lines["configuration"] == (
        "warning",
        "development at http://localhost:5000: set PORTAL_ENV=production to serve customers",
    )


def test_a_database_without_the_schema_says_to_run_init(environment, tmp_path):
    code, lines = doctor({**environment, "DATABASE_URL": f"sqlite:///{tmp_path / 'new.db'}"})
    assert code == 1
    assert lines["schema"][0] == "problem"
    assert lines["schema"][1].endswith("run `portal init`")


def test_an_unreachable_database_is_named(environment):
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/portal"
    code, lines = doctor({**environment, "DATABASE_URL": url})
    assert code == 1
    assert lines["database"][0] == "problem"
    assert "check DATABASE_URL" in lines["database"][1]


def test_an_unreachable_redis_is_named(environment):
    code, lines = doctor({**environment, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"})
    assert code == 1
    assert lines["queue"][0] == "problem"
    assert "check REDIS_URL" in lines["queue"][1]


def test_redis_without_a_worker_says_to_start_one_until_one_runs(
    environment, redis_url, queue_name, tmp_path
):
    env = {**environment, "REDIS_URL": redis_url, "PORTAL_QUEUE_NAME": queue_name}
    code, lines = doctor(env)
    assert code == 1
    assert lines["workers"] == (
        "problem",
        "no worker has checked in for 90 s: start one with `portal worker`",
    )
    worker = subprocess.Popen(
        [PORTAL, "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while (code := doctor(env)[0]) != 0 and time.monotonic() < deadline:
            time.sleep(0.5)
        code, lines = doctor(env)
        assert code == 0, lines
        assert lines["workers"] == ("ok", "1 alive")
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)


def test_dns_that_does_not_answer_is_a_warning_in_development(environment):
    silent = {"PORTAL_DNS_RESOLVERS": f"127.0.0.1:{free_port()}", "PORTAL_DNS_TIMEOUT": "0.5"}
    code, lines = doctor({**environment, **silent})
    assert code == 0
    assert lines["outbound"][0] == "warning"
    assert "check PORTAL_DNS_RESOLVERS" in lines["outbound"][1]


def test_production_settings_that_would_refuse_to_start_are_named(environment):
    done = subprocess.run(
        [PORTAL, "doctor"],
        env={**environment, "PORTAL_ENV": "production"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "SECRET_KEY must be set" in done.stderr
    assert "PORTAL_PUBLIC_URL must be an https:// URL" in done.stderr
