"""One portal deployment of real processes for a fault test: `portal serve`, `portal worker`s,
on a PostgreSQL (and a Redis) of the test's own, with the logs to show when something fails."""

import subprocess
import time
from pathlib import Path

import pytest

from tests.peers.dns_server import free_port
from tests.peers.portal_server import (
    PortalServer,
    deployment_env,
    kill_process_group,
    portal_cli,
    start_portal_worker,
)

# Short delivery timings (settings, not patches): retries 1 s doubling, a relay every 2 s.
FAST_DELIVERY = {
    "PORTAL_DELIVERY_FIRST_RETRY_SECONDS": "1",
    "PORTAL_PERIODIC_EVERY_SECONDS": "tasks.webhooks.relay=2",
    "PORTAL_PERIODIC_REARM_SECONDS": "1",
}


class Deployment:
    def __init__(self, postgres, folder: Path, redis=None, workers: int = 0, **settings: str):
        self.postgres, self.folder = postgres, folder
        port = free_port()
        # Links and SAML URLs name the address it is served at, as behind a real proxy.
        settings.setdefault("PORTAL_PUBLIC_URL", f"http://127.0.0.1:{port}")
        self.env = deployment_env(postgres.url, redis.url if redis else "", **settings)
        initialised = portal_cli("init", env=self.env, cwd=folder)
        self.client_id = initialised.split("Client ID: ")[1].split()[0]
        self.workers: list[subprocess.Popen] = []
        for _ in range(workers):  # they boot while the web tier does
            self.start_worker()
        try:
            self.server = PortalServer(self.env, folder / "serve.log", port=port)
        except BaseException:
            for worker in self.workers:
                kill_process_group(worker)
            raise

    def start_worker(self) -> subprocess.Popen:
        log_path = self.folder / f"worker-{len(self.workers)}.log"
        self.workers.append(start_portal_worker(self.env, log_path))
        return self.workers[-1]

    def worker_log(self, index: int) -> str:
        return (self.folder / f"worker-{index}.log").read_text(errors="replace")

    def logs(self) -> str:
        workers = [f"--- worker {n}\n{self.worker_log(n)}" for n in range(len(self.workers))]
        return "\n".join([f"--- serve\n{self.server.log()[-20000:]}", *workers])

    def wait_until(self, condition, what: str, within: float) -> None:
        deadline = time.monotonic() + within
        while not condition():
            if time.monotonic() > deadline:
                pytest.fail(f"still waiting for {what} after {within} s\n{self.logs()}")
            time.sleep(0.1)

    def stop(self) -> None:
        for worker in self.workers:
            kill_process_group(worker)
        self.server.stop()
