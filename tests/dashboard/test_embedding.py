"""Settings → Embedding: allowed frame origins, validated and normalized, stored in the
database and applied to the portal's CSP frame-ancestors (the dashboard is never framed)."""

import pytest

from portal.services.account import embedding
from portal.services.onboarding import portal_links
from tests.magic_links import launch_path

PORTAL_PAGE = "/admin/launch?token=x"  # any /admin page; this one needs no session


def save(client, origins: str):
    return client.post("/dashboard/settings/embedding", data={"origins": origins})


def frame_ancestors(client, path=PORTAL_PAGE) -> str:
    csp = client.get(path).headers["Content-Security-Policy"]
    return next(part for part in csp.split("; ") if part.startswith("frame-ancestors"))


def test_saved_origins_are_normalized_and_frame_the_portal(dashboard_client):
    assert frame_ancestors(dashboard_client) == "frame-ancestors 'none'"
    response = save(
        dashboard_client,
        "HTTPS://App.Example.COM:443/\nhttps://*.Tenant.example, https://b.example:8443",
    )
    assert response.status_code == 302
    page = dashboard_client.get("/dashboard/settings/embedding").get_data(as_text=True)
    assert "may now be framed by https://app.example.com, https://*.tenant.example" in page
    assert embedding.stored_origins() == [
        "https://app.example.com",
        "https://*.tenant.example",
        "https://b.example:8443",
    ]
    assert frame_ancestors(dashboard_client) == (
        "frame-ancestors https://app.example.com https://*.tenant.example https://b.example:8443"
    )
    assert "X-Frame-Options" not in dashboard_client.get(PORTAL_PAGE).headers
    # The dashboard itself stays unframeable whatever is allowed for the portal.
    assert (
        frame_ancestors(dashboard_client, "/dashboard/settings/embedding")
        == "frame-ancestors 'none'"
    )


def test_an_allowed_origin_gets_partitioned_cross_site_cookies(dashboard_client, app, org):
    _, url = portal_links.create_setup_link(org.id, ["sso"])
    save(dashboard_client, "https://app.example.com")
    launch = app.test_client().get(launch_path(url))
    cookie = launch.headers["Set-Cookie"]
    assert "SameSite=None" in cookie and "Partitioned" in cookie and "Secure" in cookie


def test_clearing_the_list_refuses_framing_again(dashboard_client):
    save(dashboard_client, "https://app.example.com")
    save(dashboard_client, "")
    assert embedding.stored_origins() == []
    assert frame_ancestors(dashboard_client) == "frame-ancestors 'none'"
    assert dashboard_client.get(PORTAL_PAGE).headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    ("origins", "message"),
    [
        ("app.example.com", "an origin looks like https://app.example.com"),
        ("ftp://app.example.com", "an origin looks like https://app.example.com"),
        ("https://app.example.com/path", "without a path"),
        ("https://user@app.example.com", "without a path"),
        ("https://app.example.com?x=1", "without a path"),
        ("https://exa mple.com", "not a valid domain name"),
        ("https://app.example.com:99999", "the port is not a number"),
        ("https://'self'", "not a valid domain name"),
    ],
)
def test_bad_origins_are_refused_with_a_clear_message(dashboard_client, origins, message):
    response = save(dashboard_client, f"https://ok.example.com\n{origins}")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and 'id="f-origins-error"' in page
    assert embedding.stored_origins() == []  # nothing saved from a refused list


def test_http_origins_only_outside_production(dashboard_client, app):
    assert save(dashboard_client, "http://localhost:3000").status_code == 302
    assert embedding.stored_origins() == ["http://localhost:3000"]
    app.config["PORTAL_ENV"] = "production"
    response = save(dashboard_client, "http://app.example.com")
    assert response.status_code == 422
    assert "origins must use https in production" in response.get_data(as_text=True)


class TestWithTheEnvironmentVariable:
    @pytest.fixture
    def app_config(self):
        return {"PORTAL_FRAME_ANCESTORS": ["https://env.example.com"]}

    def test_both_lists_apply_and_the_page_shows_the_environment_ones(self, dashboard_client):
        save(dashboard_client, "https://app.example.com\nhttps://env.example.com")
        assert frame_ancestors(dashboard_client) == (
            "frame-ancestors https://env.example.com https://app.example.com"
        )
        page = dashboard_client.get("/dashboard/settings/embedding").get_data(as_text=True)
        assert "Also allowed by" in page and "https://env.example.com" in page
