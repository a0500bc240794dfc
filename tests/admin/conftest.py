from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import update

from portal.extensions import db
from portal.models import PortalLink
from portal.models.columns import utcnow
from portal.services.onboarding import portal_links


def token_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["token"][0]


def launch_path(url: str) -> str:
    return f"/admin/launch?token={token_of(url)}"


def expire(link_id: str, ago: timedelta = timedelta(seconds=1)) -> None:
    """Move a link's expiry into the past, as the clock would."""
    db.session.execute(
        update(PortalLink).where(PortalLink.id == link_id).values(expires_at=utcnow() - ago)
    )
    db.session.commit()


@pytest.fixture
def api_link(org):
    """An API link for the domain_verification intent: (row, url)."""
    return portal_links.create_api_link(
        org.id,
        "domain_verification",
        return_url="https://app.example.com/settings",
        success_url="https://app.example.com/done",
        external_user_id="alice",
    )


@pytest.fixture
def signed_in(client, api_link):
    """The test client holding a portal session for `org`."""
    response = client.get(launch_path(api_link[1]))
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture
def sign_in(client, org):
    """Sign the test client in to `org`'s portal with an API link for one intent."""

    def with_intent(intent: str):
        _, url = portal_links.create_api_link(org.id, intent)
        assert client.get(launch_path(url)).status_code == 302
        return client

    return with_intent
