"""The environment's client id, API keys and dashboard users."""

import dataclasses
import functools
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from portal.errors import InvalidInput, NotFound
from portal.extensions import db
from portal.models import ApiKey, DashboardSession, DashboardUser, Environment
from portal.models.columns import utcnow
from portal.services.account import dashboard_sessions
from portal.services.infra import credential_cache, secret_tokens, tenancy
from portal.services.infra.ids import ulid

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 12
API_KEYS = "api_keys"


def environment() -> Environment:
    """The deployment's environment row, created with its client id on first use."""
    env = db.session.scalars(select(Environment).order_by(Environment.id).limit(1)).first()
    if env is None:
        env = Environment(client_id=f"client_{ulid()}")
        db.session.add(env)
        db.session.commit()
    return env


def create_api_key(name: str, replace: bool = False) -> tuple[ApiKey, str]:
    """Create a key; returns it and its secret, which is not stored and not shown again."""
    name = name.strip()
    if not name:
        raise InvalidInput("An API key needs a name.", field="name")
    if replace:
        for old in db.session.scalars(select(ApiKey).where(ApiKey.name == name)):
            old.revoked_at = old.revoked_at or utcnow()
    secret = secret_tokens.new_secret("sk")
    key = ApiKey(name=name, display_prefix=secret[:10], secret_hash=secret_tokens.digest(secret))
    db.session.add(key)
    db.session.commit()
    return key, secret


def active_api_key_named(name: str) -> ApiKey | None:
    """The newest active key of that name, if any."""
    keys = db.session.scalars(select(ApiKey).where(ApiKey.name == name.strip()))
    return max((key for key in keys if key.is_active), key=lambda key: key.id, default=None)


@dataclasses.dataclass(frozen=True)
class KeyInUse:
    """An active API key, as the request that presented it sees it."""

    id: str
    name: str
    display_prefix: str
    last_used_at: datetime | None


def authenticate_api_key(secret: str) -> KeyInUse | None:
    """The active key whose secret this is, or None. Checked once per process every few
    seconds (services/infra/credential_cache.py): a revocation holds at once in the process
    that made it, within PORTAL_CREDENTIAL_CACHE_SECONDS in the others."""
    if not secret.startswith("sk_"):
        return None
    stored = secret_tokens.digest(secret)
    key = credential_cache.checked(API_KEYS, stored, lambda: _active_key(secret, stored))
    if key is not None:
        key = _note_use(key, stored)
    return key


def forget_keys_on_change() -> None:
    """Wired by create_app: a key revoked in this process stops working here at once."""
    credential_cache.forget_on_change(ApiKey, API_KEYS)


def _active_key(secret: str, stored: str) -> KeyInUse | None:
    key = db.session.scalars(select(ApiKey).where(ApiKey.secret_hash == stored)).first()
    if key is None or not key.is_active or not secret_tokens.matches(secret, key.secret_hash):
        return None
    return KeyInUse(key.id, key.name, key.display_prefix, key.last_used_at)


def _note_use(key: KeyInUse, stored: str) -> KeyInUse:
    # At most one write a minute per key and process, not one per request.
    now = utcnow()
    if key.last_used_at is not None and now - key.last_used_at <= timedelta(minutes=1):
        return key
    db.session.execute(update(ApiKey).where(ApiKey.id == key.id).values(last_used_at=now))
    db.session.commit()
    key = dataclasses.replace(key, last_used_at=now)
    credential_cache.update(API_KEYS, stored, key)
    return key


def create_dashboard_user(email: str, password: str) -> DashboardUser:
    """Create a dashboard user; the password is stored as a salted scrypt hash."""
    email = email.strip().lower()
    if not EMAIL_PATTERN.match(email):
        raise InvalidInput(f"{email!r} is not an email address.", field="email")
    _check_password_length(password)
    if _dashboard_user_by_email(email):
        raise InvalidInput(f"A user with the email {email} already exists.", field="email")
    user = DashboardUser(email=email, password_hash=generate_password_hash(password))
    db.session.add(user)
    db.session.commit()
    return user


def _check_password_length(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"Use a password of at least {MIN_PASSWORD_LENGTH} characters.", field="password"
        )


def _dashboard_user_by_email(email: str) -> DashboardUser | None:
    return db.session.scalars(
        select(DashboardUser).where(DashboardUser.email == email.strip().lower())
    ).first()


def _existing_dashboard_user(email: str) -> DashboardUser:
    user = _dashboard_user_by_email(email)
    if user is None:
        raise NotFound(f"There is no dashboard user with the email {email.strip()}.")
    return user


def change_dashboard_password(email: str, password: str) -> DashboardUser:
    """Set a user's password and end all their dashboard sessions (everywhere)."""
    _check_password_length(password)
    user = _existing_dashboard_user(email)
    user.password_hash = generate_password_hash(password)
    dashboard_sessions.end_all_for_user(user.id, "password_changed")  # commits both
    return user


def remove_dashboard_user(email: str) -> DashboardUser:
    """Delete a dashboard user with their sessions, so no browser of theirs stays signed in."""
    user = _existing_dashboard_user(email)
    db.session.execute(delete(DashboardSession).where(DashboardSession.user_id == user.id))
    db.session.delete(user)
    db.session.commit()
    return user


def check_dashboard_password(email: str, password: str) -> DashboardUser | None:
    """The user when email and password match, else None."""
    user = _dashboard_user_by_email(email)
    # Hash the password even for an unknown email, so the answer takes as long either way.
    stored = user.password_hash if user is not None else _unknown_user_hash()
    if not check_password_hash(stored, password) or user is None:
        return None
    return user


@functools.cache
def _unknown_user_hash() -> str:
    return generate_password_hash(secrets.token_urlsafe(16))


def list_api_keys() -> list[ApiKey]:
    """Every API key, active ones first, newest first."""
    return list(
        db.session.scalars(
            select(ApiKey).order_by(ApiKey.revoked_at.is_not(None), ApiKey.id.desc())
        )
    )


def get_api_key(key_id: str) -> ApiKey:
    return tenancy.unscoped(ApiKey, key_id, noun="API key")


def revoke_api_key(key_id: str) -> ApiKey:
    """Revoke a key; requests with it are refused from now on."""
    key = get_api_key(key_id)
    key.revoked_at = key.revoked_at or utcnow()
    db.session.commit()
    return key
