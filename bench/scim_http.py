"""The SCIM driver of the HTTP bench, the same against portal and against the peer (BoxyHQ SAML
Jackson behind bench/jackson_front.js, when `make bench-peer` has installed it).

On a fresh directory, 8 clients: create users (Okta's payload), look them up with
`filter=userName eq`, deactivate half the Entra way ("Replace", "False"), create groups and
add 200 members to each in one PATCH, and page through every user 100 at a time.
"""

import os
import random
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from bench.deployment import free_port, running, wait_for_http
from bench.load import Client, Phase, expect, run_parallel
from bench.scim_ingest import GROUP_SCHEMA, PATCH_OP, new_directory, scim_client, user_body

PEER_HOME = Path(
    os.environ.get("BENCH_PEER_HOME", Path.home() / ".cache" / "portal-bench" / "jackson")
)
FRONT = Path(__file__).resolve().parent / "jackson_front.js"
PHASES = ("create", "filter", "deactivate", "group", "list")


def peer_installed() -> bool:
    binary = PEER_HOME / "node_modules" / "better-sqlite3" / "build" / "Release"
    return shutil.which("node") is not None and (binary / "better_sqlite3.node").exists()


class PortalTarget:
    """portal's SCIM endpoints; directories made through the services (an admin's setup)."""

    name = "portal"

    def __init__(self, app, port: int):
        self.app, self.port = app, port

    def new_directory(self) -> tuple[str, str]:
        return new_directory(self.app, f"SCIM bench {random.randrange(10**9)}")


class PeerTarget:
    """Jackson's directory-sync controller behind our Node front, on its own SQLite file."""

    name = "Jackson"

    def __init__(self, port: int):
        self.port = port

    def new_directory(self) -> tuple[str, str]:
        status, body, _ = Client(self.port).call("POST", "/directories")
        expect(status, (201,), "peer directory", body)
        return body["id"], body["token"]


@contextmanager
def peer():
    """The peer's front on a free port until the block ends."""
    port = free_port()
    environment = {**os.environ, "NODE_PATH": str(PEER_HOME / "node_modules")}
    with tempfile.TemporaryDirectory(prefix="jackson-bench-") as folder:
        command = ["node", str(FRONT), str(port), f"{folder}/jackson.db"]
        with running(command, environment, Path(folder) / "front.log") as process:
            wait_for_http(port, "/", process)
            yield PeerTarget(port), process


class Round:
    """One fresh directory of a target and the figures of each phase there."""

    def __init__(self, target, clients: int):
        self.target = target
        directory_id, token = target.new_directory()
        self.clients = [scim_client(target.port, directory_id, token) for _ in range(clients)]
        self.ids: dict[int, str] = {}

    def create(self, client, number):
        status, body, elapsed = client.call("POST", "/Users", user_body(number))
        expect(status, (201,), "create user", body)
        self.ids[number] = body["id"]
        return elapsed

    def lookup(self, client, number):
        wanted = quote(f'userName eq "user{number}@bench.test"')
        status, body, elapsed = client.call("GET", f"/Users?filter={wanted}&startIndex=1&count=100")
        expect(status, (200,), "filter", body)
        if body["totalResults"] != 1:
            raise RuntimeError(f"{self.target.name}: filter for user{number} found {body}")
        return elapsed

    def deactivate(self, client, number):
        operations = [{"op": "Replace", "path": "active", "value": "False"}]
        body = {"schemas": [PATCH_OP], "Operations": operations}
        status, answer, elapsed = client.call("PATCH", f"/Users/{self.ids[number]}", body)
        expect(status, (200, 204), "deactivate", answer)
        return elapsed

    def group(self, client, item):
        number, members = item
        body = {"schemas": [GROUP_SCHEMA], "displayName": f"Group {number}"}
        status, created, _ = client.call("POST", "/Groups", body)
        expect(status, (201,), "create group", created)
        operations = [{"op": "add", "path": "members", "value": members}]
        body = {"schemas": [PATCH_OP], "Operations": operations}
        status, answer, elapsed = client.call("PATCH", f"/Groups/{created['id']}", body)
        expect(status, (200, 204), "add members", answer)
        return elapsed

    def page(self, client, item):
        start_index, expected = item
        status, body, elapsed = client.call("GET", f"/Users?startIndex={start_index}&count=100")
        expect(status, (200,), "page", body)
        if len(body["Resources"]) != expected:
            raise RuntimeError(
                f"{self.target.name}: page at {start_index} has {len(body['Resources'])} users"
            )
        return elapsed

    def run(self, numbers: range, groups: int, members: int) -> dict[str, Phase]:
        """Every phase once, over users `numbers` (new to this directory); the list phase
        pages through as many users as were created, from the first."""
        numbers = list(numbers)
        half = numbers[: len(numbers) // 2]
        phases = {
            "create": self._phase(numbers, self.create),
            "filter": self._phase(random.sample(numbers, len(half)), self.lookup),
            "deactivate": self._phase(half, self.deactivate),
        }
        ids = sorted(self.ids.values())
        items = [
            (numbers[0] + n, [{"value": i} for i in random.sample(ids, min(members, len(ids)))])
            for n in range(groups)
        ]
        phases["group"] = self._phase(items, self.group)
        total = len(self.ids)
        pages = [(start, min(100, total - start + 1)) for start in range(1, len(numbers) + 1, 100)]
        phases["list"] = self._phase(pages, self.page)
        return phases

    def _phase(self, items: list, action) -> Phase:
        return run_parallel(self.target.name, items, action, self.clients)

    def close(self) -> None:
        for client in self.clients:
            client.close()
