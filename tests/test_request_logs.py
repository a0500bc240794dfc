"""`PORTAL_LOG_FORMAT=json` under `portal serve`: one JSON object per line, each request's line
carrying its request id (also answered in `X-Request-Id`) and, where known, the organization;
no secret of the request (API key, link token, SCIM token) in any line."""

import json
import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.peers.dns_server import free_port
from tests.portal_command import PORTAL, last_line, portal


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("served")
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.db'}",
        "REDIS_URL": "",
        "PORTAL_LOG_FORMAT": "json",
        "PORTAL_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    portal(env, "init")
    api_key = last_line(portal(env, "create-api-key", "--name", "app"))
    organization_id = re.search(r"\b(org_\w+)", portal(env, "seed-demo")).group(1)
    directory = portal(env, "create-directory", "--organization", organization_id)
    log_file = tmp_path / "stderr.log"
    with log_file.open("wb") as log:
        server = subprocess.Popen(
            [PORTAL, "serve", "--port", str(port), "--workers", "1"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    try:
        scim = {**json.loads(directory), "organization_id": organization_id}
        yield f"http://127.0.0.1:{port}", api_key, log_file, scim
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def call(url, headers=None, within=30.0) -> tuple[int, dict]:
    """The status and headers of a GET, once the server answers."""
    deadline = time.monotonic() + within
    while True:
        try:
            request = urllib.request.Request(url, headers=headers or {})  # noqa: S310
            with urllib.request.urlopen(request) as answer:  # noqa: S310  (loopback test server)
                return answer.status, dict(answer.headers)
        except urllib.error.HTTPError as answer:
            with answer:
                return answer.code, dict(answer.headers)
        except OSError:
            assert time.monotonic() < deadline, "portal serve did not answer"
            time.sleep(0.2)


def json_lines(log_file: Path) -> list[dict]:
    lines = log_file.read_text().splitlines()
    return [json.loads(line) for line in lines if line.startswith("{")]


def access_lines(log_file: Path, *request_ids: str, within=10.0) -> dict[str, dict]:
    """The access line of each request, waiting for them: they are written after the answer."""
    deadline = time.monotonic() + within
    while True:
        lines = json_lines(log_file)
        by_id = {
            line.get("request_id"): line for line in lines if line["logger"] == "portal.requests"
        }
        if all(request_id in by_id for request_id in request_ids):
            return by_id
        assert time.monotonic() < deadline, f"no access line for {request_ids}"
        time.sleep(0.1)


def test_each_request_logs_one_json_line_with_its_id_and_no_secret(served):
    base, api_key, log_file, _ = served
    status, listed = call(f"{base}/organizations", {"Authorization": f"Bearer {api_key}"})
    assert status == 200
    forged = "tok_" + "x" * 40
    _, launch = call(f"{base}/admin/launch?token={forged}", {"X-Request-Id": "proxy-req-42"})
    assert launch["X-Request-ID"] == "proxy-req-42"
    by_id = access_lines(log_file, listed["X-Request-ID"], "proxy-req-42")
    api_line = by_id[listed["X-Request-ID"]]
    assert api_line["message"] == "GET /organizations 200"
    assert api_line["status"] == 200 and api_line["level"] == "info"
    launch_line = by_id["proxy-req-42"]
    assert launch_line["message"].startswith("GET /admin/launch?token=[redacted]")
    everything = log_file.read_text()
    assert api_key not in everything and forged not in everything


def test_every_line_is_json_gunicorn_s_own_too(served):
    url, _, log_file, _ = served
    call(f"{url}/healthz")  # this test may be the first of its process to use the server
    deadline = time.monotonic() + 10
    while {"gunicorn.error", "portal.requests"} - _loggers(log_file):
        assert time.monotonic() < deadline, log_file.read_text()
        time.sleep(0.1)
    lines = [line for line in log_file.read_text().splitlines() if line.strip()]
    assert len(json_lines(log_file)) == len(lines)


def _loggers(log_file: Path) -> set[str]:
    try:
        return {line["logger"] for line in json_lines(log_file)}
    except ValueError:  # a line still being written
        return set()


def test_an_unusable_request_id_is_replaced(served):
    base, *_ = served
    _, answer = call(f"{base}/healthz", {"X-Request-Id": "bad id with spaces"})
    assert answer["X-Request-ID"].startswith("req_")


def test_an_unknown_log_format_refuses_to_start(tmp_path):
    done = subprocess.run(
        [PORTAL, "init"],
        env={
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}",
            "PORTAL_LOG_FORMAT": "xml",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "PORTAL_LOG_FORMAT is 'xml'; set it to text or json." in done.stderr


def test_a_scim_request_is_logged_with_its_organization_and_without_its_token(served):
    base, _, log_file, scim = served
    users_url = scim["scim_base_url"] + "/Users"
    assert users_url.startswith(base)
    status, answer = call(users_url, {"Authorization": f"Bearer {scim['bearer_token']}"})
    assert status == 200
    line = access_lines(log_file, answer["X-Request-ID"])[answer["X-Request-ID"]]
    assert line["organization_id"] == scim["organization_id"]
    assert scim["bearer_token"] not in log_file.read_text()
