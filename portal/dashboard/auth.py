"""Signing in and out of the dashboard, and the guard every other dashboard page sits behind."""

from flask import g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from portal.dashboard import bp
from portal.errors import TooManyAttempts
from portal.extensions import db
from portal.models import DashboardUser
from portal.services.account import dashboard_sign_in
from portal.web.signed_out import redirect_signed_out

PUBLIC_ENDPOINTS = {"dashboard.login"}


def load_dashboard_user(user_id: str) -> DashboardUser | None:
    """Flask-Login's user loader (create_app registers it)."""
    return db.session.get(DashboardUser, user_id)


@bp.before_request
def require_dashboard_user():
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
        return render_template("dashboard/login.html", next_path=next_path, errors={})
    email = request.form.get("email", "")
    try:
        user = dashboard_sign_in.sign_in(
            email, request.form.get("password", ""), request.remote_addr or ""
        )
    except TooManyAttempts as error:
        return _login_refused(email, next_path, error.message, 429)
    if user is None:
        return _login_refused(email, next_path, "The email or password is not right.", 401)
    _fresh_session()
    login_user(user)
    return redirect(_safe_next(next_path))


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
    logout_user()
    _fresh_session()
    return redirect(url_for("dashboard.login"))
