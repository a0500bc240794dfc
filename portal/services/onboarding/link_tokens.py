"""Magic-link tokens: signed and timestamped, naming a PortalLink row.

A forged or altered token fails the signature check before any database read; the row keeps
only a digest of the token, so a database leak gives no working links.
"""

import secrets

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from portal.errors import TokenExpired, TokenInvalid

SALT = "portal.magic-link"


def _serializer() -> URLSafeTimedSerializer:
    # itsdangerous signs with the last key and accepts all: links outlive a SECRET_KEY rotation.
    config = current_app.config
    keys = [*reversed(config.get("SECRET_KEY_FALLBACKS", [])), config["SECRET_KEY"]]
    return URLSafeTimedSerializer(keys, salt=SALT)


def issue(link_id: str) -> str:
    """A new token naming the link; a random nonce makes each one unguessable."""
    return _serializer().dumps({"link": link_id, "nonce": secrets.token_urlsafe(16)})


def read(token: str, max_age_seconds: int) -> str:
    """The link id inside a genuine, unexpired token; raises TokenInvalid or TokenExpired."""
    try:
        payload = _serializer().loads(token, max_age=max_age_seconds)
    except SignatureExpired as error:
        raise TokenExpired() from error
    except BadSignature as error:
        raise TokenInvalid() from error
    if not isinstance(payload, dict) or not isinstance(payload.get("link"), str):
        raise TokenInvalid()
    return payload["link"]
