"""Prefixed, time-sortable ids: a type prefix plus a ULID (`org_01HV...`).

Ids created later sort after earlier ones, so list cursors are plain comparisons on the
primary key.
"""

import os
import time

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ULID_LENGTH = 26


def ulid(timestamp_ms: int | None = None) -> str:
    """A 26-character ULID: 48 bits of milliseconds then 80 random bits, base32."""
    if timestamp_ms is None:
        timestamp_ms = time.time_ns() // 1_000_000
    value = (timestamp_ms << 80) | int.from_bytes(os.urandom(10), "big")
    chars = []
    for _ in range(ULID_LENGTH):
        value, index = divmod(value, 32)
        chars.append(CROCKFORD[index])
    return "".join(reversed(chars))


def new_id(prefix: str) -> str:
    """A new id such as `org_01HV5Z...` for the given prefix (without the underscore)."""
    return f"{prefix}_{ulid()}"


def has_prefix(value: str, prefix: str) -> bool:
    """True when value looks like an id of this type (prefix and a well-formed ULID)."""
    head, _, tail = value.rpartition("_")
    return head == prefix and len(tail) == ULID_LENGTH and all(c in CROCKFORD for c in tail)
