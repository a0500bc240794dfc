import pytest


def test_pages_forbid_inline_script_and_framing_by_default(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


class TestEmbeddingAllowed:
    @pytest.fixture
    def app_config(self):
        return {"PORTAL_FRAME_ANCESTORS": ["https://app.example.com"]}

    def test_allowed_origins_are_named_in_frame_ancestors(self, client):
        response = client.get("/admin/launch?token=x")
        assert (
            "frame-ancestors https://app.example.com" in response.headers["Content-Security-Policy"]
        )
        assert "X-Frame-Options" not in response.headers

    def test_the_dashboard_is_never_framed(self, client):
        response = client.get("/")
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_script(client):
    page = client.get("/").get_data(as_text=True)
    assert "<script>" not in page
    assert 'src="/static/vendor/htmx.min.js"' in page
