"""NUL characters (U+0000) in text from outside. No name, id, URL or token holds one, and
PostgreSQL text can neither store nor compare one, so portal has one policy for them (the
map of who does what is in `portal/web/__init__.py`): input holding NUL is refused, each
audience in its own words; foreign text portal only keeps for people to read gets U+FFFD in
place of each NUL, here, in `readable_text`."""

NUL = "\x00"
REPLACEMENT_CHARACTER = "\ufffd"


def field_holding_nul(value, field: str = "") -> str | None:
    """Where a JSON value first holds NUL: the dotted path of that text (a key counts, at its
    own path; a bare string is at `field`), or None. Deep nesting raises RecursionError, which
    the caller refuses in its audience's words."""
    if isinstance(value, str):
        return field if NUL in value else None
    for path, part in _parts(value, field):
        found = field_holding_nul(part, path)
        if found is not None:
            return found
    return None


def _parts(value, field: str):
    if isinstance(value, dict):
        for key, item in value.items():
            yield _subfield(field, key), key
            yield _subfield(field, key), item
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield _subfield(field, index), item


def _subfield(field: str, key) -> str:
    return f"{field}.{key}" if field else str(key)


def readable_text(raw: bytes | str) -> str:
    """Foreign text kept only for people to read (an IdP's payload, what a webhook or log
    stream receiver answered): bytes decoded as UTF-8, undecodable ones replaced, and each NUL
    shown as U+FFFD."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    return text.replace(NUL, REPLACEMENT_CHARACTER)
