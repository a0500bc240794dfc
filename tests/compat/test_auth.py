"""API keys as the SDK sends them: `Authorization: Bearer sk_...`."""

import pytest
from workos import AuthenticationError, WorkOSClient


@pytest.fixture
def client_with(base_url, sdk_credentials):
    """A client for the served app using the given key."""
    clients = []

    def make(secret: str) -> WorkOSClient:
        client = WorkOSClient(
            api_key=secret, client_id=sdk_credentials[1], base_url=base_url, max_retries=0
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


CALLS = {
    "list_organizations": lambda c: c.organizations.list_organizations(),
    "create_organization": lambda c: c.organizations.create_organization(name="Acme"),
    "get_organization": lambda c: c.organizations.get_organization("org_1"),
    "delete_organization": lambda c: c.organizations.delete_organization("org_1"),
    "create_organization_domain": lambda c: c.organization_domains.create_organization_domain(
        domain="acme.com", organization_id="org_1"
    ),
    "generate_link": lambda c: c.admin_portal.generate_link(organization="org_1", intent="sso"),
    "list_events": lambda c: c.events.list_events(events=[]),
}


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
def test_a_wrong_api_key_is_an_authentication_error(client_with, call):
    with pytest.raises(AuthenticationError) as caught:
        call(client_with("sk_wrong"))

    assert caught.value.status_code == 401
    assert caught.value.code == "unauthorized"
    assert caught.value.request_id.startswith("req_")


@pytest.mark.parametrize("secret", ["sk_", "not-a-key", "sk_" + "x" * 5000])
def test_a_malformed_api_key_is_an_authentication_error(client_with, secret):
    with pytest.raises(AuthenticationError) as caught:
        client_with(secret).organizations.list_organizations()

    assert caught.value.code == "unauthorized"


def test_a_refused_request_changes_nothing(client_with, workos):
    with pytest.raises(AuthenticationError):
        client_with("sk_wrong").organizations.create_organization(name="Intruder")

    assert list(workos.organizations.list_organizations()) == []


def test_the_right_key_works(client_with, sdk_credentials):
    assert list(client_with(sdk_credentials[0]).organizations.list_organizations()) == []
