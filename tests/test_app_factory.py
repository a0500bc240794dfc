import pytest
from flask import url_for

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


@pytest.mark.parametrize("value", ["0", "-5", "ninety", "1.5"])
def test_a_sign_in_retention_that_is_not_whole_days_refuses_to_start(monkeypatch, value):
    monkeypatch.setenv("PORTAL_SIGN_IN_RETENTION_DAYS", value)
    with pytest.raises(RuntimeError, match="PORTAL_SIGN_IN_RETENTION_DAYS must be a whole number"):
        create_app()


def test_sign_in_retention_is_read_in_days(monkeypatch):
    monkeypatch.setenv("PORTAL_SIGN_IN_RETENTION_DAYS", "30")
    assert create_app().config["PORTAL_SIGN_IN_RETENTION_DAYS"] == 30


URL_PREFIXES = {
    "admin": "/admin/",
    "dashboard": "/dashboard/",
    "sso": "/sso/",
    "scim": "/scim/v2/<directory_id>/",
}


def test_each_blueprints_url_prefix_is_set_where_it_is_registered():
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert {name: bp.url_prefix for name, bp in app.blueprints.items()} == dict.fromkeys(
        ["api", "admin", "sso", "dashboard", "scim"]
    )
    for rule in app.url_map.iter_rules():
        prefix = URL_PREFIXES.get(rule.endpoint.partition(".")[0])
        if prefix and rule.rule != "/":  # the front page is the dashboard's sign-in
            assert rule.rule.startswith(prefix), f"{rule.endpoint} is served at {rule.rule}"
    with app.test_request_context():
        assert url_for("dashboard.login") == "/dashboard/login"


@pytest.mark.parametrize(
    "name", ["PORTAL_DASHBOARD_IDLE_MINUTES", "PORTAL_DASHBOARD_SESSION_HOURS"]
)
@pytest.mark.parametrize("value", ["0", "-5", "an hour", "1.5"])
def test_a_dashboard_session_limit_that_is_not_a_whole_number_refuses_to_start(
    monkeypatch, name, value
):
    monkeypatch.setenv(name, value)
    with pytest.raises(RuntimeError, match=f"{name} must be a whole number"):
        create_app()


def test_an_idle_timeout_longer_than_the_session_refuses_to_start(monkeypatch):
    monkeypatch.setenv("PORTAL_DASHBOARD_IDLE_MINUTES", "180")
    monkeypatch.setenv("PORTAL_DASHBOARD_SESSION_HOURS", "2")
    with pytest.raises(RuntimeError, match=r"PORTAL_DASHBOARD_IDLE_MINUTES \(180\) is longer than"):
        create_app()


def test_dashboard_sessions_default_to_an_idle_hour_and_twelve_hours_in_all(monkeypatch):
    app = create_app()
    assert app.config["PORTAL_DASHBOARD_IDLE_MINUTES"] == 60
    assert app.config["PORTAL_DASHBOARD_SESSION_HOURS"] == 12
    monkeypatch.setenv("PORTAL_DASHBOARD_IDLE_MINUTES", "20")
    assert create_app().config["PORTAL_DASHBOARD_IDLE_MINUTES"] == 20


@pytest.mark.parametrize(
    ("name", "value", "complaint"),
    [
        ("PORTAL_PROXY_HOPS", "-1", "PORTAL_PROXY_HOPS must be a whole number, 0 or more"),
        ("PORTAL_PROXY_HOPS", "two", "PORTAL_PROXY_HOPS must be a whole number, 0 or more"),
        (
            "PORTAL_UNSOLICITED_RESPONSES_PER_HOUR",
            "lots",
            "PORTAL_UNSOLICITED_RESPONSES_PER_HOUR must be a whole number",
        ),
        ("PORTAL_RATE_LIMIT_SSO_TOKEN", "lots", "PORTAL_RATE_LIMIT_SSO_TOKEN is 'lots'"),
        ("PORTAL_RATE_LIMIT_ADMIN_LAUNCH", "5 per fortnight", 'e.g. "30 per minute"'),
    ],
)
def test_unreadable_proxy_and_rate_limit_settings_refuse_to_start(
    monkeypatch, name, value, complaint
):
    monkeypatch.setenv(name, value)
    with pytest.raises(RuntimeError, match=complaint):
        create_app()


def test_proxy_hops_and_rate_limits_are_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("PORTAL_PROXY_HOPS", "0")
    monkeypatch.setenv("PORTAL_RATE_LIMITS_ENABLED", "false")
    monkeypatch.setenv("PORTAL_RATE_LIMIT_SSO_TOKEN", "20/minute")
    settings = create_app().config
    assert settings["PORTAL_PROXY_HOPS"] == 0
    assert settings["PORTAL_RATE_LIMITS_ENABLED"] is False
    assert settings["PORTAL_RATE_LIMIT_SSO_TOKEN"] == "20/minute"
