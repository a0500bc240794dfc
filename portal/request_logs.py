"""JSON logs on request (`PORTAL_LOG_FORMAT=json`): one object per line, each carrying the
request id, the organization and the job it belongs to, with secrets blanked out.

Every request gets an id (the proxy's `X-Request-Id` when it is a sane one, else a new
`req_...` as WorkOS answers), answered in the `X-Request-ID` header; in JSON mode each
request also writes one access line.
"""

import json
import logging
import re
import secrets
import sys
import time
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request

log = logging.getLogger("portal.requests")

REQUEST_ID_HEADER = "X-Request-ID"
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# Whatever grants access, wherever it may show up in a logged message or URL.
SECRETS = re.compile(
    r"(?P<keep>(?:token|code|code_verifier|client_secret|SAMLResponse|password)=)[^&\s\"']+"
    r"|(?P<keep_bearer>Bearer )\S+"
    r"|\bsk_[A-Za-z0-9_-]{8,}"
)


def blank_secrets(text: str) -> str:
    def blank(match: re.Match) -> str:
        return (match.group("keep") or match.group("keep_bearer") or "") + "[redacted]"

    return SECRETS.sub(blank, text)


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": blank_secrets(record.getMessage()),
            **_context(),
            **getattr(record, "fields", {}),
        }
        if record.exc_info:
            entry["error"] = blank_secrets(self.formatException(record.exc_info))
        return json.dumps(entry, default=str)


def _context() -> dict:
    context = {}
    if has_request_context():
        context["request_id"] = g.get("request_id")
        organization = g.get("organization")
        if organization is not None:
            context["organization_id"] = organization.id
        directory = g.get("directory")
        if directory is not None:
            context["organization_id"] = directory.organization_id
    job_id = _current_job_id()
    if job_id:
        context["job_id"] = job_id
    return context


def _current_job_id() -> str | None:
    from rq import get_current_job

    job = get_current_job()
    return job.id if job is not None else None


def configure_logging(app: Flask) -> None:
    """Send every log record as a JSON line to stderr when `PORTAL_LOG_FORMAT=json`."""
    if app.config["PORTAL_LOG_FORMAT"] != "json":
        return
    root = logging.getLogger()
    if not any(isinstance(h.formatter, JsonLines) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonLines())
        root.handlers = [handler]
    root.setLevel(logging.INFO)
    # Alembic announces each of its plugins whenever an app is made.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def register_request_logs(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_finish)


def _start() -> None:
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = offered if SANE_REQUEST_ID.fullmatch(offered) else f"req_{secrets.token_hex(12)}"
    g.request_started = time.perf_counter()


def _finish(response):
    request_id = g.get("request_id")
    if request_id is None:  # a request answered before `_start` ran
        return response
    response.headers[REQUEST_ID_HEADER] = request_id
    if logging.getLogger().isEnabledFor(logging.INFO):
        elapsed_ms = (time.perf_counter() - g.request_started) * 1000
        log.info(
            "%s %s %s",
            request.method,
            request.full_path.rstrip("?"),
            response.status_code,
            extra={"fields": {"status": response.status_code, "ms": round(elapsed_ms, 1)}},
        )
    return response
