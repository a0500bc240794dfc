import io

import pytest

from portal.extensions import db
from portal.services.account import branding, credentials
from tests.dashboard_login import sign_in
from tests.factories import make_api_key
from tests.pages import csrf_token_of, shown_to_copy

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>'


def body(response) -> str:
    return response.get_data(as_text=True)


def post_branding(client, logo: bytes | None = None, filename="logo.png", **fields):
    data = {"app_name": "Acme HR", "brand_color": "#112233", **fields}
    if logo is not None:
        data["logo"] = (io.BytesIO(logo), filename)
    return client.post(
        "/dashboard/settings/branding", data=data, content_type="multipart/form-data"
    )


@pytest.mark.parametrize("logo", [PNG, SVG, b"\xff\xd8\xff\xe0" + b"\x00" * 32])
def test_branding_saves_name_colour_and_logo_shown_to_it_admins(dashboard_client, logo):
    response = post_branding(dashboard_client, logo)
    assert response.status_code == 302
    saved = branding.settings()
    assert (saved.app_name, saved.brand_color, saved.has_logo) == ("Acme HR", "#112233", True)
    assert dashboard_client.get("/admin/branding/logo").data == logo
    assert "--brand: #112233" in body(dashboard_client.get("/admin/branding.css"))
    page = body(dashboard_client.get("/dashboard/settings/branding"))
    assert "Branding saved" in page and 'value="Acme HR"' in page


def test_branding_logo_can_be_removed(dashboard_client):
    post_branding(dashboard_client, PNG)
    post_branding(dashboard_client, remove_logo="1")
    assert not branding.settings().has_logo


@pytest.mark.parametrize(
    ("logo", "fields", "field", "message"),
    [
        (b"GIF89a" + b"\x00" * 10, {}, "logo", "must be a PNG, SVG or JPEG"),
        (PNG + b"\x00" * (200 * 1024), {}, "logo", "at most 200 KB"),
        (None, {"brand_color": "blue"}, "brand_color", "#rrggbb"),
        (None, {"app_name": "x" * 101}, "app_name", "at most 100 characters"),
    ],
)
def test_branding_validation_messages(dashboard_client, logo, fields, field, message):
    response = post_branding(dashboard_client, logo, **fields)
    assert response.status_code == 422
    page = body(response)
    assert message in page
    assert (
        f'id="f-{field}-error"' in page
        and f'aria-describedby="f-{field}-hint f-{field}-error"' in page
    )
    assert branding.settings().app_name is None


def test_redirects_save_the_default_return_url(dashboard_client):
    url = "https://app.example.com/settings"
    response = dashboard_client.post(
        "/dashboard/settings/redirects", data={"default_return_url": url}
    )
    assert response.status_code == 302
    assert branding.settings().default_return_url == url
    dashboard_client.post("/dashboard/settings/redirects", data={"default_return_url": ""})
    assert branding.settings().default_return_url is None


def test_redirects_refuse_plain_http_except_localhost(dashboard_client):
    response = dashboard_client.post(
        "/dashboard/settings/redirects", data={"default_return_url": "http://app.example.com/"}
    )
    assert response.status_code == 422
    assert "must use https" in body(response)
    assert 'id="f-default_return_url-error"' in body(response)
    ok = dashboard_client.post(
        "/dashboard/settings/redirects", data={"default_return_url": "http://localhost:3000/"}
    )
    assert ok.status_code == 302


def test_redirects_in_production_refuse_even_localhost_http(app, dashboard_client):
    app.config["PORTAL_ENV"] = "production"
    response = dashboard_client.post(
        "/dashboard/settings/redirects", data={"default_return_url": "http://localhost:3000/"}
    )
    assert response.status_code == 422
    assert "must use https in production" in body(response)


def test_api_keys_create_shows_the_secret_once_then_lists_and_revokes(dashboard_client):
    response = dashboard_client.post("/dashboard/settings/api-keys", data={"name": "billing"})
    assert response.status_code == 201
    page = body(response)
    secret = shown_to_copy(page, "new-secret")
    assert secret.startswith("sk_")
    key = credentials.authenticate_api_key(secret)
    assert key is not None and key.name == "billing"
    listing = body(dashboard_client.get("/dashboard/settings/api-keys"))
    assert secret not in listing
    assert key.display_prefix in listing and "billing" in listing
    confirm_url = f"/dashboard/settings/api-keys/{key.id}/revoke"
    assert f'href="{confirm_url}"' in listing  # a link to a question, not a one-click revoke
    question = body(dashboard_client.get(confirm_url))
    assert "Revoke the API key billing" in question and "Keep it" in question
    assert credentials.authenticate_api_key(secret) is not None  # asking changes nothing
    revoked = dashboard_client.post(confirm_url)
    assert revoked.status_code == 302
    db.session.expire_all()  # the request changed the row this session holds
    assert credentials.authenticate_api_key(secret) is None
    assert "revoked" in body(dashboard_client.get("/dashboard/settings/api-keys"))
    again = dashboard_client.get(confirm_url, follow_redirects=True)
    assert "is revoked already" in body(again)


def test_revoking_an_unknown_api_key_is_not_found(dashboard_client):
    assert (
        dashboard_client.get("/dashboard/settings/api-keys/key_nothing/revoke").status_code == 404
    )
    assert (
        dashboard_client.post("/dashboard/settings/api-keys/key_nothing/revoke").status_code == 404
    )


def test_api_keys_show_when_a_key_was_last_used(dashboard_client):
    secret = make_api_key("sdk")
    assert "never" in body(dashboard_client.get("/dashboard/settings/api-keys"))
    credentials.authenticate_api_key(secret)
    assert "never" not in body(dashboard_client.get("/dashboard/settings/api-keys"))


def test_api_key_needs_a_name(dashboard_client):
    response = dashboard_client.post("/dashboard/settings/api-keys", data={"name": " "})
    assert response.status_code == 422
    assert "An API key needs a name." in body(response)
    assert 'id="f-name-error"' in body(response)


def test_sent_emails_page_is_empty_at_first(dashboard_client):
    assert "No mail yet." in body(dashboard_client.get("/dashboard/settings/emails"))


def test_redirect_uris_are_normalized_stored_and_listed(app, dashboard_client):
    app.config["PORTAL_REDIRECT_URIS"] = ["https://env.example.com/cb"]
    response = dashboard_client.post(
        "/dashboard/settings/redirects/sign-in",
        data={
            "redirect_uris": "HTTPS://App.Example.COM:443/sso/callback\n"
            "http://localhost:3000/cb\n\nhttps://app.example.com/sso/callback\n"
        },
    )
    assert response.status_code == 302
    assert credentials.environment().redirect_uris == [
        "https://app.example.com/sso/callback",
        "http://localhost:3000/cb",
    ]
    page = body(dashboard_client.get("/dashboard/settings/redirects"))
    assert "Allowed redirect URIs saved (2)" in page
    assert "https://app.example.com/sso/callback\nhttp://localhost:3000/cb</textarea>" in page
    assert "<code>https://env.example.com/cb</code>" in page  # from the environment, shown
    dashboard_client.post("/dashboard/settings/redirects/sign-in", data={"redirect_uris": ""})
    assert credentials.environment().redirect_uris == []


@pytest.mark.parametrize(
    ("entered", "message"),
    [
        ("app.example.com/callback", "is an absolute URL like https://"),
        ("http://app.example.com/callback", "plain http is allowed only for localhost"),
        ("https://app.example.com/cb#done", "must not contain a fragment"),
        ("https://user:pw@app.example.com/cb", "must not contain a user name"),
        ("https://app.example.com:99999/cb", "the port is not a number"),
        ("javascript:alert(1)", "is an absolute URL like https://"),
    ],
)
def test_redirect_uris_refuse_bad_input_and_keep_what_was_typed(dashboard_client, entered, message):
    typed = f"https://ok.example.com/cb\n{entered}"
    response = dashboard_client.post(
        "/dashboard/settings/redirects/sign-in", data={"redirect_uris": typed}
    )
    assert response.status_code == 422
    page = body(response)
    assert message in page and 'id="f-redirect_uris-error"' in page
    assert 'aria-describedby="f-redirect_uris-hint f-redirect_uris-error"' in page
    assert credentials.environment().redirect_uris == []


def test_redirect_uris_in_production_refuse_http_localhost(app, dashboard_client):
    app.config["PORTAL_ENV"] = "production"
    response = dashboard_client.post(
        "/dashboard/settings/redirects/sign-in", data={"redirect_uris": "http://localhost:3000/"}
    )
    assert response.status_code == 422
    assert "must use https in production" in body(response)


class TestRedirectUrisWithCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_the_form_needs_its_token(self, client, dashboard_user):
        assert sign_in(client, csrf_token=csrf_token_of(body(client.get("/")))).status_code == 302
        data = {"redirect_uris": "https://app.example.com/cb"}
        refused = client.post("/dashboard/settings/redirects/sign-in", data=data)
        assert refused.status_code == 400
        assert "This form has expired" in body(refused)
        assert credentials.environment().redirect_uris == []
        token = csrf_token_of(body(client.get("/dashboard/settings/redirects")))
        saved = client.post(
            "/dashboard/settings/redirects/sign-in", data={**data, "csrf_token": token}
        )
        assert saved.status_code == 302
        assert credentials.environment().redirect_uris == ["https://app.example.com/cb"]
