"""portal as an operator runs it: `portal serve` (gunicorn) as a process of its own, and the
`portal` CLI against the same database and Redis."""

import os
import signal
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path

import requests

from tests.peers.dns_server import free_port

PORTAL = str(Path(sys.executable).parent / "portal")
SECRET_KEY = "fault-tests-secret-key-0123456789abcdef"


def deployment_env(database_url: str, redis_url: str = "", **extra) -> dict:
    """The environment of every process of one deployment (web, workers, CLI)."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": SECRET_KEY,
        "PORTAL_ENV": "development",
        "PORTAL_PUBLIC_URL": "http://portal.test",
        "PORTAL_QUEUE_NAME": "portal-faults",
        "PORTAL_OUTBOUND_ALLOW_PRIVATE": "true",
        **extra,
    }


def portal_cli(*arguments: str, env: dict, cwd) -> str:
    """Run `portal <arguments>`; returns what it printed, failing the test if it failed."""
    done = subprocess.run(
        [PORTAL, *arguments], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


class PortalServer:
    """`portal serve` on a free loopback port; its output goes to `log_path`."""

    def __init__(
        self, env: dict, log_path: Path, workers: int = 2, threads: int = 2, port: int = 0
    ):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        arguments = ["serve", "--port", str(self.port), "--workers", str(workers)]
        with open(log_path, "w") as log:
            self._process = subprocess.Popen(
                [PORTAL, *arguments, "--threads", str(threads)],
                env=env,
                cwd=log_path.parent,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            self._wait_until_serving()
        except BaseException:
            self.stop()
            raise

    def _wait_until_serving(self, within: float = 60) -> None:
        deadline = time.monotonic() + within
        while True:
            try:
                requests.get(f"{self.url}/healthz", timeout=10)
                return
            except requests.RequestException:  # not listening yet, or its workers still booting
                assert self._process.poll() is None, f"portal serve exited:\n{self.log()}"
                assert time.monotonic() < deadline, f"portal serve did not answer:\n{self.log()}"
                time.sleep(0.2)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def worker_pids(self) -> list[int]:
        """gunicorn's worker processes (the children of its master)."""
        children = Path(f"/proc/{self._process.pid}/task/{self._process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def stop(self) -> None:
        """gunicorn's quick shutdown (SIGQUIT): a graceful one waits out keep-alive clients."""
        self._process.send_signal(signal.SIGQUIT)
        try:
            self._process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait()


def rss_kib(pid: int) -> int:
    """A process's resident memory in KiB, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise LookupError(f"no VmRSS for process {pid}")


def start_portal_worker(env: dict, log_path: Path) -> subprocess.Popen:
    """`portal worker` left running, leading a process group of its own (with its work horse
    and scheduler), its output going to `log_path`."""
    with open(log_path, "w") as log:
        return subprocess.Popen(
            [PORTAL, "worker"],
            env=env,
            cwd=log_path.parent,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def kill_process_group(process: subprocess.Popen) -> None:
    """SIGKILL a process, its descendants and its group, as a power cut would. (RQ's work horse
    leaves the worker's process group, so the descendants are found one by one.)"""
    for pid in [*_descendants(process.pid), process.pid]:
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _descendants(pid: int) -> list[int]:
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except FileNotFoundError:
        return []
    return [n for child in map(int, children) for n in (child, *_descendants(child))]
