"""Looking a row up by id: one place that checks it belongs to whoever asks.

`owned` finds a row only if it belongs to its owner: an organization (a portal session, a
page about one customer) or, for rows that live below one, the directory a SCIM token is
bound to, the connection or the webhook endpoint they hang off. Another owner's row, an
empty id and an id holding NUL (no id holds one, and PostgreSQL cannot even compare it) are
all not found, with the answer an unknown id gets, so nobody learns what exists elsewhere.

`unscoped` is the same lookup for callers that see every organization of this environment
(the developer's API key, the dashboard): saying so at each such lookup keeps them apart
from the scoped ones.
"""

import re
from typing import TypeVar

from portal.errors import NotFound
from portal.extensions import db

Row = TypeVar("Row")
NUL = "\x00"


def owned(
    model: type[Row],
    object_id: str | None,
    owner_id: str,
    *,
    owner: str = "organization_id",
    noun: str | None = None,
    message: str | None = None,
) -> Row:
    """The `model` row with this id whose `owner` column is `owner_id`; NotFound otherwise.

    NotFound says "<noun> not found: '<id>'." (the noun defaults to the model's name in
    words) with the id as `entity_id`, or `message` alone where a page words it its own way.
    """
    row = _row(model, object_id)
    if row is None or getattr(row, owner) != owner_id:
        raise _not_found(model, object_id, noun, message)
    return row


def unscoped(
    model: type[Row], object_id: str | None, *, noun: str | None = None, options=()
) -> Row:
    """The `model` row with this id whoever owns it: for callers that see every
    organization of the environment. `options` are loader options for the query."""
    row = _row(model, object_id, options)
    if row is None:
        raise _not_found(model, object_id, noun, None)
    return row


def _row(model, object_id: str | None, options=()):
    if not object_id or NUL in object_id:
        return None
    return db.session.get(model, object_id, options=options)


def _not_found(model, object_id, noun: str | None, message: str | None) -> NotFound:
    if message:
        return NotFound(message)
    noun = noun or _in_words(model.__name__)
    return NotFound(f"{noun} not found: '{object_id}'.", entity_id=object_id)


def _in_words(class_name: str) -> str:
    """`OrganizationDomain` -> `Organization domain`."""
    return re.sub(r"(?<!^)([A-Z])", lambda capital: " " + capital[1].lower(), class_name)
