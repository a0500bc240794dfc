"""Prefixed, time-sortable ids: a type prefix plus a ULID (`org_01HV...`).

Ids created later sort after earlier ones, so list cursors are plain comparisons on the
primary key.
"""

import os
import threading
import time
from datetime import UTC, datetime, timedelta

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ULID_LENGTH = 26
TIME_LENGTH = 10  # leading characters of a ULID that hold its 48-bit millisecond time
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


_RANDOM_BITS = 80
_last = {"ms": -1, "random": 0}
_lock = threading.Lock()


def ulid(timestamp_ms: int | None = None) -> str:
    """A 26-character ULID: 48 bits of milliseconds then 80 random bits, base32.

    Within one process, ids made in the same millisecond still increase (the random part
    counts up), so events written in one transaction keep their order.
    """
    if timestamp_ms is None:
        timestamp_ms = time.time_ns() // 1_000_000
    with _lock:
        if timestamp_ms == _last["ms"] and _last["random"] + 1 < (1 << _RANDOM_BITS):
            random_part = _last["random"] + 1
        else:
            random_part = int.from_bytes(os.urandom(10), "big") >> 1
        _last["ms"], _last["random"] = timestamp_ms, random_part
    return _encode((timestamp_ms << _RANDOM_BITS) | random_part, ULID_LENGTH)


def _encode(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        value, index = divmod(value, 32)
        chars.append(CROCKFORD[index])
    return "".join(reversed(chars))


def lowest_id_at(prefix: str, timestamp_ms: int) -> str:
    """The smallest id of this type that can be created at or after `timestamp_ms`."""
    return f"{prefix}_{_encode((timestamp_ms << 80), ULID_LENGTH)}"


def time_of(value: str) -> datetime:
    """When an id was made: the millisecond in its ULID, as an aware UTC datetime."""
    milliseconds = 0
    for char in value.rpartition("_")[2][:TIME_LENGTH]:
        milliseconds = milliseconds * 32 + CROCKFORD.index(char)
    return EPOCH + timedelta(milliseconds=milliseconds)


def new_id(prefix: str) -> str:
    """A new id such as `org_01HV5Z...` for the given prefix (without the underscore)."""
    return f"{prefix}_{ulid()}"
