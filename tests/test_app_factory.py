import pytest

from portal import create_app


def test_production_refuses_the_default_secret_key():
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"PORTAL_ENV": "production", "PORTAL_PUBLIC_URL": "https://portal.example"})


def test_production_refuses_a_plain_http_public_url():
    with pytest.raises(RuntimeError, match="https"):
        create_app(
            {
                "PORTAL_ENV": "production",
                "SECRET_KEY": "x" * 40,
                "PORTAL_PUBLIC_URL": "http://portal.example",
            }
        )


def test_settings_come_from_the_environment_at_creation_time(monkeypatch):
    monkeypatch.setenv("PORTAL_PUBLIC_URL", "https://sso.example.com/")
    monkeypatch.setenv("PORTAL_FRAME_ANCESTORS", "https://app.example.com, https://b.example")
    app = create_app()
    assert app.config["PORTAL_PUBLIC_URL"] == "https://sso.example.com"
    assert app.config["PORTAL_FRAME_ANCESTORS"] == ["https://app.example.com", "https://b.example"]
    assert app.config["SESSION_COOKIE_SECURE"] is True
