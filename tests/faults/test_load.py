"""A bounded mixed load on loopback against `portal serve`: the IT admin's portal pages (a
magic-link session), API reads and writes, SCIM creates and patches, and SAML sign-ins posted
to the ACS by a real IdP. 0 errors (no 5xx, no connection errors, nothing unexpected); the
database counts match what was sent; the gunicorn workers' memory holds steady."""

import itertools
import threading
from collections import Counter

import requests

from tests.environment import sized
from tests.faults.traffic import set_up_tenant
from tests.peers.portal_server import rss_kib
from tests.peers.saml_idp import IDP_ENTITY_ID, IDP_SSO_URL, SigningIdp

REDIRECT_URI = "https://app.example.test/callback"
ROUNDS = sized(20, 1500)  # requests per kind after the warm-up
WARM_UP = 6
# Between half-way and the end, the workers' resident memory may grow by this much at most.
RSS_GROWTH = 1.25


class SamlSignIns:
    """People signing in through a SAML connection: /sso/authorize, the IdP, our ACS."""

    def __init__(self, tenant, client_id: str, public_url: str, folder):
        self.tenant, self.client_id = tenant, client_id
        self.idp = SigningIdp(folder)
        saml_options = {
            "idp_entity_id": IDP_ENTITY_ID,
            "idp_sso_url": IDP_SSO_URL,
            "idp_signing_certs": [self.idp.certificate],
        }
        created = tenant.api(
            "POST",
            "/connections",
            json={
                "organization_id": tenant.organization_id,
                "connection_type": "OktaSAML",
                "saml_options": saml_options,
            },
        )
        assert created.status_code == 201, created.text
        self.connection_id = created.json()["id"]
        self.entity_id = f"{public_url}/sso/saml/{self.connection_id}"
        metadata = requests.get(
            f"{tenant.base_url}/sso/saml/{self.connection_id}/metadata", timeout=30
        )
        assert metadata.status_code == 200, metadata.text
        (folder / "sp.xml").write_bytes(metadata.content)
        self.idp.trust_service_provider(folder / "sp.xml")
        self._lock = threading.Lock()  # pysaml2's server is not made for threads

    def sign_in(self, n: int) -> requests.Response:
        browser = requests.Session()
        query = {
            "client_id": self.client_id,
            "redirect_uri": REDIRECT_URI,
            "response_type": "code",
            "connection": self.connection_id,
            "state": f"s{n}",
        }
        started = browser.get(
            f"{self.tenant.base_url}/sso/authorize", params=query, allow_redirects=False, timeout=30
        )
        if started.status_code != 302:
            return started
        with self._lock:
            saml_response = self.idp.respond(
                sp_entity_id=self.entity_id,
                destination=f"{self.entity_id}/acs",
                in_response_to=self.idp.request_id(started.headers["Location"]),
                email=f"person{n}@acme.test",
            )
        acs = f"{self.tenant.base_url}/sso/saml/{self.connection_id}/acs"
        return browser.post(
            acs, data={"SAMLResponse": saml_response}, allow_redirects=False, timeout=30
        )


class MixedLoad:
    """Each kind of request with the status it must get; what succeeded, what did not."""

    def __init__(self, tenant, saml: SamlSignIns):
        self.tenant, self.saml = tenant, saml
        self.done, self.errors = Counter(), []
        self.created_names: list[str] = []
        self._numbers = itertools.count()
        self._lock = threading.Lock()
        self.kinds = {
            "page": (lambda: tenant.page(), 200),
            "api read": (lambda: tenant.api("GET", "/organizations", params={"limit": 10}), 200),
            "api write": (self._api_write, 201),
            "scim create and patch": (self._scim_create_and_patch, 200),
            "saml sign-in": (lambda: saml.sign_in(next(self._numbers)), 302),
        }

    def _api_write(self) -> requests.Response:
        name, response = self.tenant.create_organization()
        if response.status_code == 201:
            with self._lock:
                self.created_names.append(name)
        return response

    def _scim_create_and_patch(self) -> requests.Response:
        _, created = self.tenant.create_scim_user()
        if created.status_code != 201:
            return created
        patch = {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "name.givenName", "value": "Patched"}],
        }
        return self.tenant.scim("PATCH", f"/Users/{created.json()['id']}", json=patch)

    def run(self, kind: str, rounds: int) -> None:
        send, expected = self.kinds[kind]
        for _ in range(rounds):
            try:
                response = send()
            except requests.RequestException as error:
                self._failed(f"{kind}: {type(error).__name__}: {error}")
                continue
            if response.status_code != expected:
                self._failed(f"{kind}: {response.status_code} {response.text[:300]}")
            else:
                with self._lock:
                    self.done[kind] += 1

    def _failed(self, what: str) -> None:
        with self._lock:
            self.errors.append(what)

    def total(self) -> int:
        with self._lock:
            return sum(self.done.values()) + len(self.errors)


def _count(postgres, sql: str) -> int:
    return postgres.query(sql)[0][0]


def test_a_mixed_load_has_no_errors_counts_that_match_and_steady_memory(make_deployment, tmp_path):
    deployment = make_deployment(PORTAL_REDIRECT_URIS=REDIRECT_URI)
    tenant = set_up_tenant(deployment.server.url, deployment.env, tmp_path)
    saml = SamlSignIns(tenant, deployment.client_id, deployment.env["PORTAL_PUBLIC_URL"], tmp_path)
    load = MixedLoad(tenant, saml)
    for kind in load.kinds:
        load.run(kind, WARM_UP)

    threads = [threading.Thread(target=load.run, args=(kind, ROUNDS)) for kind in load.kinds]
    for thread in threads:
        thread.start()
    half_way = len(load.kinds) * (WARM_UP + ROUNDS // 2)
    deployment.wait_until(lambda: load.total() >= half_way, "half the requests", 300)
    workers = deployment.server.worker_pids()
    rss_half_way = sum(rss_kib(pid) for pid in workers)
    for thread in threads:
        thread.join()
    rss_at_the_end = sum(rss_kib(pid) for pid in workers)

    assert load.errors == []
    sent = WARM_UP + ROUNDS
    assert load.done == {kind: sent for kind in load.kinds}
    postgres = deployment.postgres
    names = {name for (name,) in postgres.query("SELECT name FROM organizations")}
    assert names == {"Acme Corp", *load.created_names}
    assert _count(postgres, "SELECT count(*) FROM directory_users") == sent
    events = Counter(dict(postgres.query("SELECT event, count(*) FROM events GROUP BY event")))
    assert events["organization.created"] == 1 + sent
    assert events["dsync.user.created"] == events["dsync.user.updated"] == sent
    signed_in = "SELECT count(*) FROM connection_sessions WHERE state = 'succeeded'"
    assert _count(postgres, signed_in) == sent
    assert deployment.server.worker_pids() == workers  # no worker died or was replaced
    assert rss_at_the_end <= rss_half_way * RSS_GROWTH, (rss_half_way, rss_at_the_end)
