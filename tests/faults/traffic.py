"""What each audience sends a served portal in the fault and load tests, and what each must get
back: the developer's API, an IdP's SCIM pushes and the IT admin's pages, over real HTTP."""

import itertools
import json
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests

from tests.magic_links import token_of
from tests.peers.portal_server import portal_cli

SCIM_ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
_numbers = itertools.count()


@dataclass
class Tenant:
    """One organization set up through the API and the CLI, with what each audience holds."""

    base_url: str
    api_key: str
    organization_id: str
    directory_id: str
    scim_token: str
    admin: requests.Session = field(default_factory=requests.Session)
    admin_page: str = "/admin/"

    def api(self, method: str, path: str, **options) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.api_key}"}
        return requests.request(
            method, self.base_url + path, headers=headers, timeout=30, **options
        )

    def scim(self, method: str, path: str, **options) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.scim_token}"}
        url = f"{self.base_url}/scim/v2/{self.directory_id}{path}"
        return requests.request(method, url, headers=headers, timeout=30, **options)

    def page(self) -> requests.Response:
        """The page the IT admin's link landed on."""
        return self.admin.get(self.base_url + self.admin_page, timeout=30, allow_redirects=False)

    def create_organization(self) -> tuple[str, requests.Response]:
        name = f"Org {next(_numbers)}"
        return name, self.api("POST", "/organizations", json={"name": name})

    def create_scim_user(self) -> tuple[str, requests.Response]:
        user_name = f"user{next(_numbers)}@acme.test"
        body = {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": user_name,
            "name": {"givenName": "Load", "familyName": "Test"},
            "emails": [{"value": user_name, "primary": True}],
            "active": True,
        }
        return user_name, self.scim("POST", "/Users", json=body)


def set_up_tenant(base_url: str, env: dict, cwd) -> Tenant:
    """An API key and an organization with a SCIM directory (CLI), and an IT admin signed in
    to the portal through a magic link (API)."""
    api_key = portal_cli("create-api-key", "--name", "faults", env=env, cwd=cwd).split()[-1]
    tenant = Tenant(base_url, api_key, "", "", "")
    acme = {"name": "Acme Corp", "domain_data": [{"domain": "acme.test", "state": "verified"}]}
    created = tenant.api("POST", "/organizations", json=acme)
    assert created.status_code == 201, created.text
    tenant.organization_id = created.json()["id"]
    directory = json.loads(
        portal_cli("create-directory", "--organization", tenant.organization_id, env=env, cwd=cwd)
    )
    tenant.directory_id, tenant.scim_token = directory["directory_id"], directory["bearer_token"]
    link = tenant.api(
        "POST",
        "/portal/generate_link",
        json={"organization": tenant.organization_id, "intent": "dsync"},
    )
    assert link.status_code == 201, link.text
    launched = tenant.admin.get(
        f"{base_url}/admin/launch?token={token_of(link.json()['link'])}", timeout=30
    )
    assert launched.status_code == 200, launched.text
    tenant.admin_page = urlsplit(launched.url).path
    return tenant


def is_clean_503(audience: str, response: requests.Response) -> bool:
    """A 503 in the audience's own shape, saying the database is out of reach, no traceback."""
    if response.status_code != 503 or not response.headers.get("Retry-After"):
        return False
    if audience == "api":
        return response.json().get("code") == "service_unavailable"
    if audience == "scim":
        body = response.json()
        return body.get("schemas") == [SCIM_ERROR] and body.get("status") == "503"
    text = response.text
    return "cannot reach its database" in text and "Traceback" not in text


class Outcomes:
    """Every answer a load of threads got, by audience; thread-safe."""

    def __init__(self):
        self._lock = threading.Lock()
        self.answers: list[tuple[str, int]] = []
        self.unclean: list[str] = []
        self.created: dict[str, list[str]] = {"api": [], "scim": []}

    def record(self, audience: str, response: requests.Response, created: str | None = None):
        with self._lock:
            self.answers.append((audience, response.status_code))
            if 200 <= response.status_code < 300:
                if created is not None:
                    self.created[audience].append(created)
            elif not is_clean_503(audience, response):
                self.unclean.append(f"{audience} {response.status_code}: {response.text[:300]}")

    def failed(self, audience: str, error: Exception):
        with self._lock:
            self.unclean.append(f"{audience} {type(error).__name__}: {error}")

    def count(self, audience: str, status: int) -> int:
        with self._lock:
            return sum(1 for a, s in self.answers if a == audience and s == status)


def keep_sending(tenant: Tenant, audience: str, outcomes: Outcomes, stop: threading.Event):
    """Send one audience's requests back to back until `stop` is set (a thread's target)."""
    while not stop.is_set():
        try:
            if audience == "api":
                name, response = tenant.create_organization()
                outcomes.record("api", response, name)
            elif audience == "scim":
                user_name, response = tenant.create_scim_user()
                outcomes.record("scim", response, user_name)
            else:
                outcomes.record("page", tenant.page())
        except requests.RequestException as error:
            outcomes.failed(audience, error)


def subscribe(tenant: Tenant, receiver, events: list[str]) -> str:
    """Point a webhook endpoint at `receiver` (API), giving it the signing secret; its id."""
    response = tenant.api(
        "POST", "/webhook_endpoints", json={"endpoint_url": receiver.url, "events": events}
    )
    assert response.status_code == 201, response.text
    receiver.secret = response.json()["secret"]
    return response.json()["id"]


@contextmanager
def under_load(tenant: Tenant, audiences: tuple[str, ...]):
    """A thread per audience sending back to back for the duration; yields their Outcomes."""
    outcomes, stop = Outcomes(), threading.Event()
    threads = [
        threading.Thread(target=keep_sending, args=(tenant, audience, outcomes, stop))
        for audience in audiences
    ]
    for thread in threads:
        thread.start()
    try:
        yield outcomes
    finally:
        stop.set()
        for thread in threads:
            thread.join()
