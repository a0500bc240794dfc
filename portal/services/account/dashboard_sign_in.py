"""Dashboard sign-in with a throttle: 5 failures per email and address in 15 minutes.

Failures are rows in the database, so every web process counts the same attempts.
"""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select

from portal.errors import TooManyAttempts
from portal.extensions import db
from portal.models import DashboardUser, LoginAttempt
from portal.models.columns import utcnow
from portal.services.account import credentials, dashboard_sessions

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)


@dataclass
class SignedIn:
    user: DashboardUser
    session_token: str  # for the browser's cookie; only its hash is stored


def sign_in(email: str, password: str, ip_address: str) -> SignedIn | None:
    """A new dashboard session when the password is right; None otherwise; TooManyAttempts
    when throttled."""
    email = email.strip().lower()
    ip_address = ip_address or "unknown"
    now = utcnow()
    recent = db.session.scalar(
        select(func.count()).where(
            LoginAttempt.email == email,
            LoginAttempt.ip_address == ip_address,
            LoginAttempt.created_at > now - WINDOW,
        )
    )
    if recent >= MAX_FAILURES:
        raise TooManyAttempts(
            "Too many failed sign-ins for this email from your network. "
            f"Wait {int(WINDOW.total_seconds() // 60)} minutes, then try again."
        )
    user = credentials.check_dashboard_password(email, password)
    if user is None:
        # Rows older than the window count for nothing; drop them as new ones arrive.
        db.session.execute(delete(LoginAttempt).where(LoginAttempt.created_at <= now - WINDOW))
        db.session.add(LoginAttempt(email=email, ip_address=ip_address, created_at=now))
        db.session.commit()
        return None
    db.session.execute(
        delete(LoginAttempt).where(
            LoginAttempt.email == email, LoginAttempt.ip_address == ip_address
        )
    )
    user.last_login_at = now
    return SignedIn(user, dashboard_sessions.open_session(user))  # commits both
