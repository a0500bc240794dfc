"""Signing in and out of the dashboard, and the guard every other dashboard page sits behind."""

from flask import current_app, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from portal.dashboard import bp
from portal.errors import DashboardSessionEnded, TooManyAttempts
from portal.models import DashboardUser
from portal.services.account import dashboard_sessions, dashboard_sign_in
from portal.web.signed_out import redirect_signed_out

PUBLIC_ENDPOINTS = {"dashboard.login"}


# The signed cookie carries the session's token; the server-side row decides whether it opens.
SESSION_TOKEN_KEY = "dashboard_session"  # noqa: S105  (a session key name, not a secret)
ENDED_REASON_KEY = "dashboard_session_ended"


def load_dashboard_user(user_id: str) -> DashboardUser | None:
    """Flask-Login's user loader (create_app registers it): the user of the live server-side
    session the cookie names, never the cookie's user id alone. Flask-Login's remember-me
    cookie (never set here) also ends up here and, carrying no session token, opens nothing."""
    try:
        live = dashboard_sessions.resume(session.get(SESSION_TOKEN_KEY))
    except DashboardSessionEnded as ended:
        _fresh_session()
        session[ENDED_REASON_KEY] = ended.reason  # the sign-in page says why
        return None
    if live is None or live.user_id != user_id:
        return None
    return live.user


@bp.before_request
def require_dashboard_user():
    # Flask-Login caches the user on `g`, which outlives a request when an app context was
    # pushed before it (tests, scripts): resolve the user from this request's cookie.
    g.pop("_login_user", None)
    if request.endpoint in PUBLIC_ENDPOINTS or current_user.is_authenticated:
        return None
    return redirect_signed_out(url_for("dashboard.login", next=request.path))


def _safe_next(target: str | None) -> str:
    # Only our own dashboard paths: never an open redirect.
    if target and target.startswith("/dashboard/") and "//" not in target and "\\" not in target:
        return target
    return url_for("dashboard.home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The sign-in page (also the site's front page when signed out)."""
    next_path = request.values.get("next")
    if current_user.is_authenticated:
        return redirect(_safe_next(next_path))
    if request.method == "GET":
        notice = _ended_notice(session.pop(ENDED_REASON_KEY, None))
        return render_template(
            "dashboard/login.html", next_path=next_path, errors={}, notice=notice
        )
    email = request.form.get("email", "")
    try:
        signed_in = dashboard_sign_in.sign_in(
            email, request.form.get("password", ""), request.remote_addr or ""
        )
    except TooManyAttempts as error:
        return _login_refused(email, next_path, error.message, 429)
    if signed_in is None:
        return _login_refused(email, next_path, "The email or password is not right.", 401)
    _fresh_session()
    login_user(signed_in.user)  # never remember=True: that cookie would outlive sign-out
    session[SESSION_TOKEN_KEY] = signed_in.session_token
    return redirect(_safe_next(next_path))


def _ended_notice(reason: str | None) -> str | None:
    """Why the last session ended, in words, for the sign-in page."""
    if reason is None:
        return None
    config = current_app.config
    notices = {
        "idle": f"You were signed out after {config['PORTAL_DASHBOARD_IDLE_MINUTES']} minutes "
        "without activity. Sign in again to continue.",
        "lifetime": "You were signed out because a dashboard session lasts at most "
        f"{config['PORTAL_DASHBOARD_SESSION_HOURS']} hours. Sign in again to continue.",
        "password_changed": "You were signed out because your password was changed. "
        "Sign in with the new password.",
    }
    return notices.get(reason, "That session was signed out. Sign in again to continue.")


def _fresh_session() -> None:
    # Nothing from before sign-in (or after sign-out) carries over, the CSRF token included;
    # Flask-WTF also caches the token on `g`, which would now name a token the session lacks.
    session.clear()
    g.pop("csrf_token", None)


def _login_refused(email: str, next_path: str | None, message: str, status: int):
    page = render_template(
        "dashboard/login.html", next_path=next_path, email=email, errors={"form": message}
    )
    return page, status


@bp.post("/logout")
def logout():
    dashboard_sessions.sign_out(session.get(SESSION_TOKEN_KEY))
    logout_user()
    _fresh_session()
    return redirect(url_for("dashboard.login"))
