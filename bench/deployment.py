"""portal deployed the way the README and deploy/ run it, for the HTTP benches: `portal init`,
`portal serve` (gunicorn gthread, 4 processes x 2 threads, --reuse-port) and `portal worker`,
on a PostgreSQL database of the bench's own (dropped afterwards) and a Redis db number of its
own (flushed afterwards). Also the bare Flask yardstick under the same gunicorn settings, and
the processes' resident memory.
"""

import http.client
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from redis import Redis

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
REDIS_SERVER = os.environ.get("BENCH_REDIS_SERVER", "redis://127.0.0.1:6379")
REDIRECT_URI = "https://app.bench.test/callback"
# The bench signs in, launches links and posts SAML responses far faster than one office
# would; the limits stay on (their cost is part of each request), set out of reach.
UNLIMITED = "1000000 per minute"


@contextmanager
def fresh_database(prefix: str = "portal_bench"):
    """A new PostgreSQL database, dropped afterwards; yields its SQLAlchemy URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def libpq_url(sqlalchemy_url: str) -> str:
    return sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://")


@contextmanager
def own_redis_db():
    """A Redis db number nobody uses now (empty), flushed afterwards; yields its URL."""
    for number in range(15, 0, -1):
        connection = Redis.from_url(f"{REDIS_SERVER}/{number}")
        if connection.dbsize() == 0:
            connection.set("portal-bench-claim", "1")
            break
    else:
        raise RuntimeError("no empty Redis db number (1-15) for the bench")
    try:
        yield f"{REDIS_SERVER}/{number}"
    finally:
        connection.flushdb()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(port: int, path: str = "/healthz", process=None, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server on port {port} exited ({process.returncode})")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", path)
            if connection.getresponse().status < 500:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing answered on port {port}")


@contextmanager
def running(command: list[str], environment: dict, log: Path, port: int | None = None):
    """A process of the deployment until the block ends (SIGTERM, as systemd stops it)."""
    with open(log, "ab") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        if port is not None:
            wait_for_http(port, process=process)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()


def rss_mib(pid: int) -> float:
    """Resident memory of one process, MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def gunicorn_rss(master_pid: int) -> list[float]:
    """Resident memory of each of a gunicorn master's worker processes, MiB."""
    return sorted(rss_mib(pid) for pid in children(master_pid))


@dataclass
class Deployment:
    """A running portal: its port, database, API key and processes."""

    port: int
    database_url: str
    environment: dict
    api_key: str
    client_id: str
    web: subprocess.Popen
    worker: subprocess.Popen
    logs: Path
    extra: dict = field(default_factory=dict)

    @property
    def public_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def portal_environment(database_url: str, redis_url: str, port: int) -> dict:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "PORTAL_QUEUE_NAME": f"bench-{uuid.uuid4().hex[:8]}",
        "PORTAL_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "PORTAL_ENV": "development",
        "SECRET_KEY": uuid.uuid4().hex,
        "PORTAL_REDIRECT_URIS": REDIRECT_URI,
        # The webhook receiver of the fan-out bench listens on loopback.
        "PORTAL_OUTBOUND_ALLOW_PRIVATE": "1",
        "PORTAL_RATE_LIMIT_SSO_RESPONSES": UNLIMITED,
        "PORTAL_RATE_LIMIT_SSO_AUTHORIZE": UNLIMITED,
        "PORTAL_RATE_LIMIT_ADMIN_LAUNCH": UNLIMITED,
    }


def _portal(*arguments: str) -> list[str]:
    return [str(BIN / "portal"), *arguments]


@contextmanager
def portal_deployment():
    """`portal init`, an API key, `portal serve` and `portal worker`, on fresh stores."""
    with ExitStack() as stack:
        # BENCH_LOGS=<folder> keeps the servers' logs there after the run.
        logs = os.environ.get("BENCH_LOGS") or stack.enter_context(
            tempfile.TemporaryDirectory(prefix="portal-bench-")
        )
        logs = Path(logs)
        logs.mkdir(parents=True, exist_ok=True)
        url = stack.enter_context(fresh_database())
        redis_url = stack.enter_context(own_redis_db())
        port = free_port()
        environment = portal_environment(url, redis_url, port)
        subprocess.run(_portal("init"), cwd=ROOT, env=environment, check=True, capture_output=True)
        made = subprocess.run(
            _portal("create-api-key", "--name", "bench"),
            cwd=ROOT,
            env=environment,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.splitlines()
        client_id = next(line.split(": ", 1)[1] for line in made if "Client ID" in line)
        serve = ["--host", "127.0.0.1", "--port", str(port)]
        web = stack.enter_context(
            running(_portal("serve", *serve), environment, logs / "web.log", port)
        )
        worker = stack.enter_context(running(_portal("worker"), environment, logs / "worker.log"))
        try:
            yield Deployment(port, url, environment, made[-1], client_id, web, worker, logs)
        except BaseException:
            for log in sorted(logs.glob("*.log")):
                print(f"--- {log.name} (last lines)", file=sys.stderr)
                print("\n".join(log.read_text().splitlines()[-30:]), file=sys.stderr)
            raise


@contextmanager
def bare_flask(database_url: str):
    """The yardstick app under the same gunicorn settings as `portal serve`; yields (port,
    gunicorn process)."""
    from portal.console import SERVE_THREADS, SERVE_WORKERS

    port = free_port()
    command = [
        *(str(BIN / "gunicorn"), "--worker-class", "gthread", "--workers", str(SERVE_WORKERS)),
        *("--threads", str(SERVE_THREADS), "--reuse-port", "--bind", f"127.0.0.1:{port}"),
        "bench.bare_flask:app",
    ]
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "BARE_DATABASE_URL": database_url}
    with (
        tempfile.TemporaryDirectory(prefix="bare-flask-") as folder,
        running(command, environment, Path(folder) / "bare.log", port) as process,
    ):
        yield port, process
