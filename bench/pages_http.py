"""Portal pages and API reads over HTTP, each beside the bare Flask yardstick (bench/
bare_flask.py) reading the same PostgreSQL, interleaved round by round; and the SQL
statements each request makes, counted in-process on the same code and database (a
SQLAlchemy listener on the bench's own app: nothing in portal changes for it).

The directories of 1,000 and 100,000 users are seeded straight into PostgreSQL: one user
shaped by the code the SCIM POST uses, the others copies of its stored row with its number
replaced, sent by COPY; then VACUUM ANALYZE. A fixture, not provisioning (no events).
"""

import json
import random
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import quote, urlsplit

from sqlalchemy import event, insert, text

from bench.load import Client, Phase, expect, run_parallel
from bench.scim_ingest import new_directory, user_row, vacuum_analyze_users
from portal.extensions import db
from portal.models import Directory as DirectoryRow
from portal.models import DirectoryUser
from portal.services.infra.ids import new_id
from portal.services.organizations import organizations
from portal.services.organizations.organizations import DomainClaim, OrganizationChanges

PER_PAGE = 25
COOKIE = "portal_session"
# The number of the one user shaped by portal's code; the copies put theirs in its place.
SENTINEL = "987654321"


@dataclass
class Target:
    """Requests to portal and to its yardstick (None: no yardstick). A request is a GET path,
    or (method, path, JSON body)."""

    label: str
    portal: list
    bare: list | None
    headers: dict = field(default_factory=dict)


@dataclass
class Comparison:
    label: str
    portal: Phase
    bare: Phase | None
    statements: int = 0
    begins: int = 0

    @property
    def sql(self) -> str:
        return f"{self.statements} SQL + {self.begins} BEGIN"


def api_headers(api_key: str) -> dict:
    return {"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"}


def open_portal_link(port: int, api_key: str, organization_id: str, intent: str) -> str:
    """A magic link made through the API and opened: the IT admin's session cookie."""
    client = Client(port, api_headers(api_key))
    body = json.dumps({"organization": organization_id, "intent": intent}).encode()
    status, data, _, _ = client.request("POST", "/portal/generate_link", body)
    expect(status, (201,), "generate_link", data)
    link = urlsplit(json.loads(data)["link"])
    status, data, _, response = client.request("GET", f"{link.path}?{link.query}")
    expect(status, (302, 303), "open link", data)
    cookies = SimpleCookie(response.getheader("Set-Cookie"))
    client.close()
    return cookies[COOKIE].value


class Directory:
    """A seeded directory and the paths of its users page (portal) and table (bare)."""

    def __init__(self, app, size: int):
        self.size = size
        self.id, _ = new_directory(app, f"Pages {size}")
        with app.app_context():
            self.organization_id = db.session.get(DirectoryRow, self.id).organization_id
            seed_by_copy(self.id, size)
        self.pages = -(-size // PER_PAGE)

    def paths(self, kind: str, count: int) -> tuple[list[str], list[str]]:
        portal, bare = "/admin/directory-sync/users", f"/users/{self.id}"
        if kind == "first":
            queries = [""] * count
        elif kind == "random":
            queries = [f"page={random.randrange(1, self.pages + 1)}" for _ in range(count)]
        else:  # one user by part of their username, e.g. "user123@"
            numbers = [random.randrange(self.size - 1) for _ in range(count)]
            queries = [f"q={quote(f'user{n}@')}" for n in numbers]
        return [f"{portal}?{q}" for q in queries], [f"{bare}?{q}" for q in queries]


def seed_by_copy(directory_id: str, count: int) -> None:
    """`count` users: user SENTINEL through portal's shaping, users 0 .. count-2 by COPY."""
    row = user_row(db.session.get(DirectoryRow, directory_id), int(SENTINEL))
    db.session.execute(insert(DirectoryUser), [row])
    db.session.commit()
    stored = db.session.execute(
        text("SELECT * FROM directory_users WHERE id = :id"), {"id": row["id"]}
    ).mappings()
    stored = dict(stored.one())
    db.session.rollback()
    columns = [name for name in stored if name != "id"]
    template = [_as_copied(stored[name]) for name in columns]
    statement = f"COPY directory_users (id, {', '.join(columns)}) FROM STDIN"
    raw = db.engine.raw_connection()
    try:
        # A COPY and a commit per 5,000: the user-count trigger updates a few counter rows
        # once per user, and in one transaction their versions pile up (100,000 users took
        # 8 minutes in one, seconds in batches).
        for start in range(0, count - 1, 5_000):
            with raw.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
                for number in range(start, min(count - 1, start + 5_000)):
                    values = [_numbered(value, str(number)) for value in template]
                    copy.write_row([new_id("directory_user"), *values])
            raw.commit()
    finally:
        raw.close()
    vacuum_analyze_users()


def _as_copied(value):
    return json.dumps(value) if isinstance(value, dict | list) else value


def _numbered(value, number: str):
    return value.replace(SENTINEL, number) if isinstance(value, str) else value


def measure(
    port: int, requests: list, headers: dict, connections: int, label: str, seconds: float
) -> Phase:
    clients = [Client(port, headers) for _ in range(connections)]

    def send(client, item):
        method, path, body = ("GET", item, None) if isinstance(item, str) else item
        payload = json.dumps(body).encode() if body is not None else None
        status, data, elapsed, _ = client.request(method, path, payload)
        expect(status, (200, 201), f"{label} {path}", data[:200])
        return elapsed

    try:
        return run_parallel(label, requests, send, clients, seconds)
    finally:
        for client in clients:
            client.close()


def merged(phases: list[Phase]) -> Phase:
    whole = Phase(phases[0].label)
    for phase in phases:
        whole.latencies += phase.latencies
        whole.wall += phase.wall
    return whole


def compare(
    target: Target, ports: tuple[int, int], connections: int, rounds: int, seconds: float
) -> Comparison:
    """portal and the yardstick in turn, `rounds` times each, each for at most `seconds`;
    rates over all rounds."""
    ours, theirs = [], []
    label = target.label
    for _ in range(rounds):
        ours.append(measure(ports[0], target.portal, target.headers, connections, label, seconds))
        if target.bare is not None:
            theirs.append(measure(ports[1], target.bare, {}, connections, label, seconds))
    return Comparison(target.label, merged(ours), merged(theirs) if theirs else None)


class StatementCounter:
    """SQL statements (and BEGINs) of one in-process request on the bench's app."""

    def __init__(self, app):
        self.app = app
        self.client = app.test_client()
        self.statements = self.begins = 0

    def count(self, path: str, headers: dict, method: str = "GET", body=None) -> tuple[int, int]:
        """(SQL statements, BEGINs) of the request, made once before to warm caches."""
        with self.app.app_context():
            engine = db.engine
        headers = dict(headers)
        if "Cookie" in headers:  # the test client sends the cookies of its own jar
            name, _, value = headers.pop("Cookie").partition("=")
            self.client.set_cookie(name, value)
        self.client.open(path, method=method, headers=headers, data=body)  # warm caches
        self.statements = self.begins = 0
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "begin", self._begin)
        try:
            response = self.client.open(path, method=method, headers=headers, data=body)
        finally:
            event.remove(engine, "before_cursor_execute", self._statement)
            event.remove(engine, "begin", self._begin)
        expect(response.status_code, (200, 201), f"in-process {path}", response.data[:200])
        return self.statements, self.begins

    def _statement(self, *args) -> None:
        self.statements += 1

    def _begin(self, *args) -> None:
        self.begins += 1


def api_organization(app) -> str:
    """An organization with two domains, made through the services."""
    with app.app_context():
        claims = [DomainClaim("pages-a.test", "verified"), DomainClaim("pages-b.test", "pending")]
        changes = OrganizationChanges(
            name="API reads", domains=claims, provided={"name", "domains"}
        )
        return organizations.create_organization(changes).id
