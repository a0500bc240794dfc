"""Flask-Login wiring for dashboard users."""

from portal.extensions import db, login_manager
from portal.models import DashboardUser


@login_manager.user_loader
def load_dashboard_user(user_id: str) -> DashboardUser | None:
    return db.session.get(DashboardUser, user_id)
