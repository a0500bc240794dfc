"""Under `portal serve` (gunicorn, several worker processes) every worker answers `/metrics`
for all of them: the counts are summed across processes."""

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from tests.peers.dns_server import free_port
from tests.portal_command import PORTAL
from tests.prometheus import TOKEN, samples, value

REQUESTS = 30


@pytest.fixture
def served(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.db'}",
        "REDIS_URL": "",
        "PORTAL_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "PORTAL_METRICS_TOKEN": TOKEN,
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    subprocess.run([PORTAL, "init"], env=env, check=True, capture_output=True, timeout=60)
    server = subprocess.Popen(
        [PORTAL, "serve", "--port", str(port), "--workers", "2", "--threads", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_answering(f"{base}/healthz")
        yield base
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def _wait_until_answering(url: str, within: float = 30.0) -> None:
    deadline = time.monotonic() + within
    while True:
        try:
            with urllib.request.urlopen(url):  # noqa: S310  (loopback test server)
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            assert time.monotonic() < deadline, "portal serve did not answer"
            time.sleep(0.2)


def _get(url: str, headers: dict | None = None) -> str:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310
    with urllib.request.urlopen(request) as answer:  # noqa: S310  (loopback test server)
        return answer.read().decode()


def test_every_worker_reports_the_requests_of_all(served):
    for _ in range(REQUESTS):
        _get(f"{served}/dashboard/login")
    page = {"route": "/dashboard/login", "method": "GET", "status": "200"}
    seen = []
    for _ in range(6):  # each scrape lands on either worker
        text = _get(f"{served}/metrics", {"Authorization": f"Bearer {TOKEN}"})
        seen.append(value(samples(text), "portal_http_requests_total", **page))
    assert seen == [REQUESTS] * 6
