import pytest

from portal.services.onboarding import portal_links

# A link as the app's settings page asks for one.
FROM_THE_APP = {
    "return_url": "https://app.example.com/settings",
    "success_url": "https://app.example.com/done",
    "external_user_id": "alice",
}


@pytest.fixture
def api_link(org):
    """An API link for the domain_verification intent: (row, url)."""
    return portal_links.create_api_link(org.id, "domain_verification", **FROM_THE_APP)


@pytest.fixture
def signed_in(admin_client):
    """An IT admin in `org`'s Domains section, through a link from the app's settings page."""
    return admin_client("domain_verification", **FROM_THE_APP)
