"""The `portal` console command works from any folder without activating the venv: it runs the
same commands as `flask --app app portal`, and `portal serve` serves the API with gunicorn."""

import json
import os
import signal
import subprocess
import time
import urllib.request

import pytest

from tests.peers.dns_server import free_port
from tests.portal_command import PORTAL


@pytest.fixture
def environment(tmp_path):
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.db'}",
        "REDIS_URL": "",
        "PORTAL_PUBLIC_URL": "http://127.0.0.1",
    }


def portal(*arguments, env, cwd) -> str:
    done = subprocess.run(
        [PORTAL, *arguments], env=env, cwd=cwd, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_portal_runs_the_cli_commands_from_any_folder(environment, tmp_path):
    assert "Client ID: client_" in portal("init", env=environment, cwd=tmp_path)
    secret = portal("create-api-key", "--name", "app", env=environment, cwd=tmp_path)
    assert secret.strip().splitlines()[-1].startswith("sk_")


def test_an_unknown_command_says_which_commands_there_are(environment, tmp_path):
    done = subprocess.run(
        [PORTAL, "serv"], env=environment, cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode != 0
    assert "No such command 'serv'" in done.stderr


def test_serve_answers_the_api_over_http(environment, tmp_path):
    portal("init", env=environment, cwd=tmp_path)
    secret = portal("create-api-key", "--name", "app", env=environment, cwd=tmp_path)
    port = free_port()
    server = subprocess.Popen(
        [PORTAL, "serve", "--port", str(port), "--workers", "1"],
        env=environment,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/organizations",
            headers={"Authorization": f"Bearer {secret.strip().splitlines()[-1]}"},
        )
        body = json.loads(_when_up(request).read())
        assert body["object"] == "list" and body["data"] == []
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0


def _when_up(request, within: float = 30.0):
    deadline = time.monotonic() + within
    while True:
        try:
            return urllib.request.urlopen(request, timeout=5)  # noqa: S310  (loopback test server)
        except OSError:
            assert time.monotonic() < deadline, "portal serve did not answer"
            time.sleep(0.2)
