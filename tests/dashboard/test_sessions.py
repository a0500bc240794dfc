"""Dashboard sessions live on the server: signing out, a password change, removing the user,
the idle timeout and the absolute lifetime each end them, and a copied cookie then opens
nothing."""

import hashlib
from datetime import timedelta

import pytest
from flask_login.utils import encode_cookie
from sqlalchemy import select, update

from portal.extensions import db
from portal.models import DashboardSession, DashboardUser
from portal.models.columns import utcnow
from portal.services.account import dashboard_sessions
from tests.dashboard_login import PASSWORD, sign_in

NEW_PASSWORD = "a different long passphrase"


def copy_of_cookie(client) -> str:
    return client.get_cookie("session").value


def browser_with(app, cookie: str):
    """Another browser presenting a copied session cookie."""
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other


def assert_signed_out(client, says: str | None = None):
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/dashboard/login")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'action="/dashboard/login"' in page
    if says:
        assert says in page


def age_session(dashboard_user, *, idle=timedelta(0), age=timedelta(0)):
    """Move time: the user's sessions last saw a request `idle` ago and began `age` ago."""
    now = utcnow()
    db.session.execute(
        update(DashboardSession)
        .where(DashboardSession.user_id == dashboard_user.id)
        .values(last_seen_at=now - idle, created_at=now - max(age, idle))
    )
    db.session.commit()


def sessions_of(dashboard_user) -> list[DashboardSession]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(DashboardSession)
            .where(DashboardSession.user_id == dashboard_user.id)
            .order_by(DashboardSession.id)
        )
    )


def test_a_cookie_copied_before_sign_out_opens_nothing_after_it(app, dashboard_client):
    cookie = copy_of_cookie(dashboard_client)
    assert browser_with(app, cookie).get("/dashboard/").status_code == 200
    dashboard_client.post("/dashboard/logout")
    assert_signed_out(browser_with(app, cookie), says="That session was signed out.")
    assert_signed_out(dashboard_client)


def test_sign_out_ends_only_that_browsers_session(app, client, dashboard_user):
    other = app.test_client()
    sign_in(client)
    sign_in(other)
    client.post("/dashboard/logout")
    assert other.get("/dashboard/").status_code == 200
    assert [s.end_reason for s in sessions_of(dashboard_user)].count("signed_out") == 1


def test_changing_the_password_signs_the_user_out_everywhere(app, runner, client, dashboard_user):
    other = app.test_client()
    sign_in(client)
    sign_in(other)
    cookie = copy_of_cookie(client)
    result = runner.invoke(
        args=["portal", "change-password", "--email", "dev@example.com", "--password", NEW_PASSWORD]
    )
    assert result.exit_code == 0, result.output
    assert "sessions have ended" in result.output
    assert_signed_out(browser_with(app, cookie), says="your password was changed")
    assert_signed_out(other, says="your password was changed")
    assert sign_in(client, password=PASSWORD).status_code == 401
    assert sign_in(client, password=NEW_PASSWORD).status_code == 302


def test_removing_the_user_signs_them_out_everywhere(app, runner, dashboard_client, dashboard_user):
    cookie = copy_of_cookie(dashboard_client)
    result = runner.invoke(args=["portal", "remove-user", "--email", "DEV@example.com"])
    assert result.exit_code == 0, result.output
    assert_signed_out(browser_with(app, cookie))
    assert_signed_out(dashboard_client)
    assert db.session.scalars(select(DashboardUser)).all() == []
    assert db.session.scalars(select(DashboardSession)).all() == []


@pytest.mark.parametrize("command", ["change-password", "remove-user"])
def test_the_user_commands_say_when_there_is_no_such_user(runner, dashboard_user, command):
    extra = ["--password", NEW_PASSWORD] if command == "change-password" else []
    result = runner.invoke(args=["portal", command, "--email", "nobody@example.com", *extra])
    assert result.exit_code == 1
    assert "There is no dashboard user with the email nobody@example.com." in result.output


def test_change_password_refuses_a_short_password_and_keeps_the_sessions(runner, dashboard_client):
    result = runner.invoke(
        args=["portal", "change-password", "--email", "dev@example.com", "--password", "short"]
    )
    assert result.exit_code == 1
    assert "at least 12 characters" in result.output
    assert dashboard_client.get("/dashboard/").status_code == 200


def test_a_session_ends_after_an_hour_without_activity(dashboard_client, dashboard_user):
    age_session(dashboard_user, idle=timedelta(minutes=59))
    assert dashboard_client.get("/dashboard/").status_code == 200  # activity restarts the hour
    age_session(dashboard_user, idle=timedelta(minutes=60))
    assert_signed_out(
        dashboard_client, says="You were signed out after 60 minutes without activity."
    )
    assert [s.end_reason for s in sessions_of(dashboard_user)] == ["idle"]


def test_the_reason_is_given_once(dashboard_client, dashboard_user):
    age_session(dashboard_user, idle=timedelta(hours=2))
    assert_signed_out(dashboard_client, says="without activity")
    assert "without activity" not in dashboard_client.get("/dashboard/login").get_data(as_text=True)


def test_an_htmx_request_after_the_idle_timeout_gets_hx_redirect(dashboard_client, dashboard_user):
    age_session(dashboard_user, idle=timedelta(hours=2))
    response = dashboard_client.get("/dashboard/organizations", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/dashboard/login")
    page = dashboard_client.get("/dashboard/login").get_data(as_text=True)
    assert "You were signed out after 60 minutes without activity." in page


def test_a_session_ends_twelve_hours_after_sign_in_however_busy(dashboard_client, dashboard_user):
    age_session(dashboard_user, age=timedelta(hours=11, minutes=59))
    assert dashboard_client.get("/dashboard/").status_code == 200
    age_session(dashboard_user, age=timedelta(hours=12))
    assert_signed_out(dashboard_client, says="a dashboard session lasts at most 12 hours")


class TestConfiguredTimeouts:
    @pytest.fixture
    def app_config(self):
        return {"PORTAL_DASHBOARD_IDLE_MINUTES": 15, "PORTAL_DASHBOARD_SESSION_HOURS": 2}

    def test_the_settings_decide_and_the_page_names_them(self, dashboard_client, dashboard_user):
        age_session(dashboard_user, idle=timedelta(minutes=15))
        assert_signed_out(dashboard_client, says="after 15 minutes without activity")
        sign_in(dashboard_client)
        age_session(dashboard_user, age=timedelta(hours=2))
        assert_signed_out(dashboard_client, says="lasts at most 2 hours")


def test_last_seen_is_written_at_most_once_a_minute(dashboard_client, dashboard_user):
    age_session(dashboard_user, idle=timedelta(seconds=30))
    before = sessions_of(dashboard_user)[0].last_seen_at
    for _ in range(3):
        assert dashboard_client.get("/dashboard/").status_code == 200
    assert sessions_of(dashboard_user)[0].last_seen_at == before
    age_session(dashboard_user, idle=timedelta(seconds=61))
    dashboard_client.get("/dashboard/")
    assert utcnow() - sessions_of(dashboard_user)[0].last_seen_at < timedelta(seconds=5)


def test_the_database_holds_only_a_hash_of_the_cookies_token(app, dashboard_client, dashboard_user):
    cookie = app.session_interface.get_signing_serializer(app).loads(
        copy_of_cookie(dashboard_client)
    )
    token = cookie["dashboard_session"]
    (row,) = sessions_of(dashboard_user)
    stored = " ".join(str(value) for value in vars(row).values())
    assert token not in stored
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()


def test_the_cookies_user_id_alone_signs_nobody_in(app, dashboard_user):
    """What signed a browser in before: a signed cookie naming the user, no session behind it."""
    forged = app.session_interface.get_signing_serializer(app).dumps(
        {"_user_id": dashboard_user.id, "_fresh": True}
    )
    assert_signed_out(browser_with(app, forged))


def test_no_remember_me_cookie_is_set_and_a_forged_one_opens_nothing(app, client, dashboard_user):
    response = sign_in(client)
    assert "remember_token" not in response.headers.get("Set-Cookie", "")
    other = app.test_client()
    other.set_cookie("remember_token", encode_cookie(dashboard_user.id))
    assert_signed_out(other)


def test_ended_and_long_expired_sessions_are_purged_after_thirty_days(app, client, dashboard_user):
    for _ in range(4):
        sign_in(app.test_client())
    recent_end, old_end, forgotten, live = sessions_of(dashboard_user)
    now = utcnow()
    recent_end.ended_at, recent_end.end_reason = now - timedelta(days=29), "idle"
    old_end.ended_at, old_end.end_reason = now - timedelta(days=31), "signed_out"
    forgotten.created_at = forgotten.last_seen_at = now - timedelta(days=31)  # never ended
    db.session.commit()
    assert dashboard_sessions.purge_expired() == 2
    assert {s.id for s in sessions_of(dashboard_user)} == {recent_end.id, live.id}


def test_the_hourly_purge_is_a_periodic_job(app):
    from tasks import periodic
    from tasks.dashboard_sessions import purge_expired

    assert periodic.EVERY["tasks.dashboard_sessions.purge_expired"] == timedelta(hours=1)
    assert purge_expired() == 0
