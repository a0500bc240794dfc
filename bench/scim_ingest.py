"""SCIM ingest under load: IdP clients against gunicorn on a fresh PostgreSQL database.

Eight clients (threads, each on its own keep-alive connection) create users, look them up by
userName as Okta does before each create, deactivate them as Entra does, push groups with 200
and then 10,000 members in one PATCH, and page through the directory. Then one client measures
a 100-user page and a userName filter in a directory of 1,000 and of 100,000 users (seeded
with one multi-row INSERT per 5,000 users, rows shaped by the same code the SCIM POST uses).

Sizes come from the environment, for quick runs (`SCIM_BENCH_USERS=1000 SCIM_BENCH_SCALE=5000
.venv/bin/python -m bench.scim_ingest`); see SIZES.
"""

import http.client
import os
import random
import re
import statistics
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from flask_migrate import upgrade
from sqlalchemy import insert, text

from bench.deployment import free_port, fresh_database
from bench.load import Client, expect, run_parallel
from portal import create_app
from portal.extensions import db
from portal.models import DirectoryUser
from portal.services.directory import directories
from portal.services.infra.ids import new_id
from portal.services.organizations import organizations
from portal.services.organizations.organizations import OrganizationChanges

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("SCIM_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")


def _size(name: str, default: int) -> int:
    return int(os.environ.get(f"SCIM_BENCH_{name}", default))


SIZES = {
    "clients": _size("CLIENTS", 8),
    "users": _size("USERS", 10_000),
    "lookups": _size("LOOKUPS", 2_000),
    "deactivations": _size("DEACTIVATIONS", 2_000),
    "small_groups": _size("SMALL_GROUPS", 16),
    "small_group_members": _size("SMALL_GROUP_MEMBERS", 200),
    "big_groups": _size("BIG_GROUPS", 3),
    "big_group_members": _size("BIG_GROUP_MEMBERS", 10_000),
    "scale_small": _size("SCALE_SMALL", 1_000),
    "scale": _size("SCALE", 100_000),
    "samples": _size("SAMPLES", 300),
}
# Gunicorn sized for 2 cores: each request is mostly Python (one core per process at a time)
# with waits on PostgreSQL in between, so 2 processes per core keep both cores busy while
# some wait; 2 threads each give the 8 clients a keep-alive connection slot apiece.
GUNICORN = {
    "workers": _size("WORKERS", 4),
    "threads": _size("THREADS", 2),
}
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def user_body(number: int, domain: str = "bench.test") -> dict:
    """What Okta POSTs for a new user."""
    user_name = f"user{number}@{domain}"
    return {
        "schemas": [USER_SCHEMA, ENTERPRISE],
        "userName": user_name,
        "externalId": f"00u{number:08d}",
        "name": {"givenName": f"Given{number}", "familyName": f"Family{number}"},
        "displayName": f"Given{number} Family{number}",
        "emails": [{"primary": True, "value": user_name, "type": "work"}],
        "active": True,
        ENTERPRISE: {"department": f"Dept {number % 20}", "employeeNumber": str(number)},
    }


def scim_client(port: int, directory_id: str, token: str, prefix: str = "/scim/v2") -> Client:
    """One IdP client: a keep-alive HTTP connection to one directory's SCIM base."""
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/scim+json",
        "Accept": "application/scim+json",
    }
    return Client(port, headers, base=f"{prefix}/{directory_id}")


def server_environment(database_url: str, port: int, queue_name: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "PORTAL_QUEUE_NAME": queue_name,
        "PORTAL_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "PORTAL_ENV": "development",
    }


@contextmanager
def gunicorn(environment: dict, port: int):
    """gunicorn serving app:app with the bench's worker settings, until the block ends."""
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "--worker-class",
        "gthread",
        "--workers",
        str(GUNICORN["workers"]),
        "--threads",
        str(GUNICORN["threads"]),
        "--bind",
        f"127.0.0.1:{port}",
        "--keep-alive",
        "30",
        # Each worker its own listening socket: the kernel spreads new connections over them.
        # On one shared socket the first worker awake accepts every connection that arrives
        # at once (seen: all 8 clients on one process, the other three idle).
        "--reuse-port",
        "--log-level",
        "warning",
        "app:app",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=environment)
    try:
        _wait_for(port)
        yield
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def new_directory(app, name: str) -> tuple[str, str]:
    """An organization with one SCIM directory, through the services; (directory id, token)."""
    with app.app_context():
        org = organizations.create_organization(OrganizationChanges(name=name, provided={"name"}))
        directory, token = directories.create_directory(org.id, "okta scim v2.0")
        return directory.id, token


def user_row(directory, number: int) -> dict:
    """The columns and raw attributes the SCIM POST would store for Okta's user `number`."""
    from portal.services.directory import directory_users, scim_resources

    user = DirectoryUser(id=new_id("directory_user"))
    raw = scim_resources.client_resource(user_body(number, "scale.test"), USER_SCHEMA)
    directory_users._apply_columns(user, raw)
    return {
        "id": user.id,
        "directory_id": directory.id,
        "organization_id": directory.organization_id,
        "user_name": user.user_name,
        "user_name_key": user.user_name_key,
        "external_id": user.external_id,
        "email": user.email,
        "display_name": user.display_name,
        "active": user.active,
        "raw_attributes": user.raw_attributes,
        "version": 1,
    }


def seed_users(app, directory_id: str, count: int) -> None:
    """`count` users in one multi-row INSERT per 5,000, shaped by `user_row` (no per-user
    events: this is a fixture, not provisioning)."""
    from portal.models import Directory

    with app.app_context():
        directory = db.session.get(Directory, directory_id)
        for start in range(0, count, 5_000):
            rows = [user_row(directory, n) for n in range(start, min(count, start + 5_000))]
            db.session.execute(insert(DirectoryUser), rows)
            db.session.commit()
        vacuum_analyze_users()


def vacuum_analyze_users() -> None:
    # Steady state of a live database (autovacuum would get there on its own, later).
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE directory_users"))


def ingest(port: int, directory_id: str, token: str) -> list[tuple[str, str]]:
    """The 8-client workload; rows of (label, figure)."""
    sizes = SIZES
    clients = [scim_client(port, directory_id, token) for _ in range(sizes["clients"])]
    ids: dict[int, str] = {}

    def create(connection, number):
        status, body, elapsed = connection.call("POST", "/Users", user_body(number))
        expect(status, (201,), "create user", body)
        ids[number] = body["id"]
        return elapsed

    def lookup(connection, number):
        # Okta's lookup before a create, with the case an admin might type.
        wanted = quote(f'userName eq "User{number}@Bench.TEST"')
        status, body, elapsed = connection.call(
            "GET", f"/Users?filter={wanted}&startIndex=1&count=100"
        )
        expect(status, (200,), "filter", body)
        if body["totalResults"] != 1:
            raise RuntimeError(f"filter for user{number} found {body['totalResults']}")
        return elapsed

    def deactivate(connection, number):
        operations = [{"op": "Replace", "path": "active", "value": "False"}]
        status, body, elapsed = connection.call(
            "PATCH", f"/Users/{ids[number]}", {"schemas": [PATCH_OP], "Operations": operations}
        )
        expect(status, (200,), "deactivate", body)
        return elapsed

    def add_members(connection, group_number, how_many):
        status, body, _ = connection.call(
            "POST", "/Groups", {"schemas": [GROUP_SCHEMA], "displayName": f"Group {group_number}"}
        )
        expect(status, (201,), "create group", body)
        members = [{"value": ids[n]} for n in random.sample(sorted(ids), how_many)]
        operations = [{"op": "add", "path": "members", "value": members}]
        status, answer, elapsed = connection.call(
            "PATCH", f"/Groups/{body['id']}", {"schemas": [PATCH_OP], "Operations": operations}
        )
        expect(status, (200, 204), "add members", answer)
        return elapsed

    def page(connection, start_index):
        status, body, elapsed = connection.call("GET", f"/Users?startIndex={start_index}&count=100")
        expect(status, (200,), "page", body)
        if len(body["Resources"]) != min(100, sizes["users"] - start_index + 1):
            raise RuntimeError(f"page at {start_index} has {len(body['Resources'])} users")
        return elapsed

    users = list(range(sizes["users"]))
    small = min(sizes["small_group_members"], sizes["users"])
    big = min(sizes["big_group_members"], sizes["users"])
    client_cpu = time.process_time()
    creates = run_parallel("SCIM create user", users, create, clients)
    client_cpu = (time.process_time() - client_cpu) / len(users) * 1000
    # The same client code every run: how fast the machine was, next to the figures above.
    yardstick = ("  (bench client CPU per create)", f"{client_cpu:8.2f} ms")
    spread = ("  (client connections per gunicorn worker)", _connections_per_worker(port))
    phases = [
        creates,
        run_parallel(
            "SCIM filter userName eq",
            random.sample(users, min(sizes["lookups"], len(users))),
            lookup,
            clients,
        ),
        run_parallel(
            "SCIM PATCH deactivate (Entra)",
            users[: sizes["deactivations"]],
            deactivate,
            clients,
        ),
        run_parallel(
            f"SCIM PATCH add {small} members",
            list(range(sizes["small_groups"])),
            lambda c, n: add_members(c, n, small),
            clients,
        ),
        run_parallel(
            f"SCIM PATCH add {big:,} members",
            [1000 + n for n in range(sizes["big_groups"])],
            lambda c, n: add_members(c, n, big),
            clients[:1],
        ),
        run_parallel(
            "SCIM page through users (100)",
            list(range(1, sizes["users"] + 1, 100)),
            page,
            clients,
        ),
    ]
    return [phases[0].row(), yardstick, spread, *(phase.row() for phase in phases[1:])]


def _connections_per_worker(port: int) -> str:
    """How the clients' keep-alive connections fell on the gunicorn processes, e.g. "3 2 2 1":
    a process holding more than its share runs them on one core while another idles."""
    try:
        listing = subprocess.run(
            ["ss", "-tnpH", "state", "established", f"( sport = :{port} )"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown (no ss)"
    per_process: dict[str, int] = {}
    for pid in re.findall(r"pid=(\d+)", listing):
        per_process[pid] = per_process.get(pid, 0) + 1
    return " ".join(str(n) for n in sorted(per_process.values(), reverse=True)) or "none open"


class ScaleProbe:
    """One directory of `size` seeded users and the latencies of reading it."""

    def __init__(self, app, port: int, size: int):
        self.size = size
        directory_id, token = new_directory(app, f"Scale {size}")
        started = time.perf_counter()
        seed_users(app, directory_id, size)
        self.seeded = time.perf_counter() - started
        self.connection = scim_client(port, directory_id, token)
        self.timings: dict[str, list[float]] = {"first": [], "deep": [], "filter": [], "email": []}

    def _timed(self, kind: str, path: str) -> dict:
        status, body, elapsed = self.connection.call("GET", path)
        expect(status, (200,), kind, body)
        self.timings[kind].append(elapsed)
        return body

    def sample(self) -> None:
        """A first page, a page at a random startIndex, a userName and an email filter."""
        size = self.size
        first = self._timed("first", "/Users?startIndex=1&count=100")
        if first["totalResults"] != size or len(first["Resources"]) != min(100, size):
            raise RuntimeError("the first page does not show the seeded directory")
        start_index = random.randrange(1, max(2, size - 99))
        self._timed("deep", f"/Users?startIndex={start_index}&count=100")
        wanted = quote(f'userName eq "USER{random.randrange(size)}@scale.test"')
        if self._timed("filter", f"/Users?filter={wanted}")["totalResults"] != 1:
            raise RuntimeError("the userName filter missed a seeded user")
        wanted = quote(f'emails.value eq "User{random.randrange(size)}@Scale.test"')
        if self._timed("email", f"/Users?filter={wanted}")["totalResults"] != 1:
            raise RuntimeError("the emails.value filter missed a seeded user")

    def rows(self) -> list[tuple[str, str]]:
        def p50(kind: str) -> str:
            return f"p50 {statistics.median(self.timings[kind]) * 1000:7.1f} ms"

        size = self.size
        return [
            (f"SCIM first 100-user page, {size:,} users", p50("first")),
            (f"SCIM 100-user page at random startIndex, {size:,} users", p50("deep")),
            (f"SCIM userName filter, {size:,} users", p50("filter")),
            (f"SCIM emails.value filter, {size:,} users", p50("email")),
            (f"  (seeded {size:,} users in)", f"{self.seeded:8.1f} s"),
        ]


def at_scale(app, port: int) -> list[tuple[str, str]]:
    """The small and the large directory, sampled in turn so both see the same load."""
    probes = [ScaleProbe(app, port, size) for size in (SIZES["scale_small"], SIZES["scale"])]
    for _ in range(SIZES["samples"]):
        for probe in probes:
            probe.sample()
    return [row for probe in probes for row in probe.rows()]


def fan_out(environment: dict) -> tuple[str, str]:
    """The queued per-member events, recorded by one `flask portal worker --burst`."""
    started = time.perf_counter()
    subprocess.run(
        [str(Path(sys.executable).parent / "flask"), "--app", "app", "portal", "worker", "--burst"],
        cwd=ROOT,
        env=environment,
        check=True,
        capture_output=True,
    )
    return ("  (membership events by the worker in)", f"{time.perf_counter() - started:8.1f} s")


def _drop_queue(queue_name: str) -> None:
    from redis import Redis
    from rq import Queue

    Queue(queue_name, connection=Redis.from_url(REDIS_URL)).delete(delete_jobs=True)


def run() -> list[tuple[str, str]]:
    port, queue_name = free_port(), f"scim-bench-{uuid.uuid4().hex[:8]}"
    with fresh_database("portal_scim_bench") as url:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "REDIS_URL": None,
                "PORTAL_INPROCESS_WORKER": False,
                "TESTING": True,
            }
        )
        with app.app_context():
            upgrade(directory=app.extensions["migrate"].directory)
        environment = server_environment(url, port, queue_name)
        rows = [
            (
                "SCIM server",
                f"gunicorn gthread {GUNICORN['workers']} workers x {GUNICORN['threads']} threads, "
                f"{SIZES['clients']} clients",
            )
        ]
        try:
            with gunicorn(environment, port):
                rows += ingest(port, *new_directory(app, "Bench"))
                rows.append(fan_out(environment))
                rows += at_scale(app, port)
        finally:
            _drop_queue(queue_name)
            with app.app_context():
                db.engine.dispose()
    return rows


if __name__ == "__main__":
    figures = run()
    width = max(len(label) for label, _ in figures)
    for label, value in figures:
        print(f"{label.ljust(width)}  {value}")
