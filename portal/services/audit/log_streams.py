"""Log streams: where an organization's audit log events go as they happen (a generic HTTPS
endpoint, Datadog's logs intake or Splunk's HTTP Event Collector), and what each receives."""

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from portal.errors import (
    DestinationRefused,
    InvalidInput,
    NotFound,
    OutboundError,
    SecretUnreadable,
)
from portal.extensions import db
from portal.models import AuditLogEvent, LogStream
from portal.models.columns import utcnow
from portal.services.delivery.retries import TIMEOUT_SECONDS
from portal.services.infra import encryption, outbound
from portal.services.infra.nul_characters import readable_text
from portal.services.infra.wire import timestamp

TYPES = {"https": "HTTPS endpoint", "datadog": "Datadog", "splunk": "Splunk HEC"}
WORKOS_TYPES = {"https": "GenericHttps", "datadog": "Datadog", "splunk": "Splunk"}
DATADOG_SITES = {
    "datadoghq.com": "US1 (datadoghq.com)",
    "us3.datadoghq.com": "US3 (us3.datadoghq.com)",
    "us5.datadoghq.com": "US5 (us5.datadoghq.com)",
    "datadoghq.eu": "EU1 (datadoghq.eu)",
    "ap1.datadoghq.com": "AP1 (ap1.datadoghq.com)",
    "ddog-gov.com": "US1-FED (ddog-gov.com)",
}
SPLUNK_EVENT_PATH = "/services/collector/event"
CREDENTIAL_MAX = 512
RESPONSE_KEPT = 500


@dataclass(frozen=True)
class StreamSettings:
    type: str
    url: str = ""  # https: the endpoint; splunk: the HEC base URL; datadog: an intake override
    datadog_site: str = ""
    credential: str = ""  # https: optional bearer token; datadog: API key; splunk: HEC token


@dataclass(frozen=True)
class OutgoingRequest:
    url: str
    body: bytes
    headers: dict[str, str]


def stream_of(organization_id: str) -> LogStream | None:
    return db.session.scalars(
        select(LogStream).where(LogStream.organization_id == organization_id)
    ).first()


def configure(organization_id: str, settings: StreamSettings) -> LogStream:
    """Create or replace the organization's stream; refuses settings that cannot work."""
    credential = settings.credential.strip()
    if settings.type in ("datadog", "splunk") and not credential:
        name = "API key" if settings.type == "datadog" else "HEC token"
        raise InvalidInput(f"Enter the {name}.", field="credential")
    url, site = _destination(settings)
    if len(credential) > CREDENTIAL_MAX or not credential.isprintable():
        raise InvalidInput("The key or token has characters it cannot have.", field="credential")
    stream = stream_of(organization_id) or LogStream(organization_id=organization_id)
    stream.type, stream.url, stream.datadog_site = settings.type, url, site
    stream.sealed_credential = encryption.encrypt(credential) if credential else None
    stream.last_delivery_at = stream.last_delivery_status = stream.last_delivery_error = None
    stream.last_synced_at = None
    db.session.add(stream)
    db.session.commit()
    return stream


def _destination(settings: StreamSettings) -> tuple[str, str | None]:
    if settings.type not in TYPES:
        raise InvalidInput("Choose where to send events.", field="type")
    url, site = settings.url.strip(), None
    if settings.type == "datadog":
        site = settings.datadog_site
        if site not in DATADOG_SITES:
            raise InvalidInput("Choose your Datadog site.", field="datadog_site")
        if not url:  # Datadog's own intake: a known public host, checked again when sending
            return f"https://http-intake.logs.{site}/api/v2/logs", site
    elif not url:
        raise InvalidInput("Enter the URL to send events to.", field="url")
    elif settings.type == "splunk":
        url = url.rstrip("/").removesuffix(SPLUNK_EVENT_PATH)
    try:
        outbound.resolve(url)
    except DestinationRefused as refusal:
        raise InvalidInput(str(refusal), field="url") from None
    return url, site


def remove(organization_id: str) -> None:
    stream = stream_of(organization_id)
    if stream is not None:
        db.session.delete(stream)
        db.session.commit()


def event_shape(row: AuditLogEvent) -> dict:
    """An audit log event as streams receive it (WorkOS's event fields, plus its id)."""
    return {
        "id": row.id,
        "organization_id": row.organization_id,
        "action": row.action,
        "occurred_at": timestamp(row.occurred_at),
        "actor": {
            "id": row.actor_id,
            "type": row.actor_type,
            "name": row.actor_name,
            "metadata": row.actor_metadata or {},
        },
        "targets": [
            {"id": t.target_id, "type": t.type, "name": t.name, "metadata": t.metadata_ or {}}
            for t in row.targets
        ],
        "context": {"location": row.location, "user_agent": row.user_agent},
        "metadata": row.metadata_ or {},
        "version": row.version,
    }


def outgoing(stream: LogStream, event: dict) -> OutgoingRequest:
    """The request that carries `event` to the stream, in the shape its receiver expects."""
    try:
        credential = (
            encryption.decrypt(stream.sealed_credential) if stream.sealed_credential else ""
        )
    except SecretUnreadable:
        raise OutboundError(
            "The stored key cannot be read (the server's secret key changed); enter it again."
        ) from None
    headers = {"Content-Type": "application/json", "User-Agent": "portal-log-streams"}
    if stream.type == "datadog":
        headers["DD-API-KEY"] = credential
        body = [
            {
                "ddsource": "portal",
                "service": "audit-logs",
                "ddtags": f"organization_id:{event['organization_id']},action:{event['action']}",
                "message": json.dumps(event, separators=(",", ":")),
            }
        ]
        return OutgoingRequest(stream.url, _json(body), headers)
    if stream.type == "splunk":
        headers["Authorization"] = f"Splunk {credential}"
        body = {
            "time": _epoch(event["occurred_at"]),
            "host": "portal",
            "source": "portal:audit_logs",
            "sourcetype": "_json",
            "event": event,
        }
        return OutgoingRequest(stream.url + SPLUNK_EVENT_PATH, _json(body), headers)
    if credential:
        headers["Authorization"] = f"Bearer {credential}"
    return OutgoingRequest(stream.url, _json(event), headers)


def _json(value) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def _epoch(iso: str) -> float:
    return round(datetime.fromisoformat(iso).timestamp(), 3)


def test_event(organization_id: str) -> dict:
    """A made-up event that says it is a test, so a receiver's team can spot it."""
    return {
        "id": "audit_log_event_test",
        "organization_id": organization_id,
        "action": "portal.log_stream_test",
        "occurred_at": timestamp(utcnow()),
        "actor": {"id": "portal", "type": "system", "name": "portal", "metadata": {}},
        "targets": [],
        "context": {"location": "portal", "user_agent": None},
        "metadata": {"test": True},
        "version": None,
    }


def note_delivery(stream: LogStream, status: int | None, error: str | None) -> None:
    """Remember the stream's last delivery, shown to the IT admin as its state."""
    stream.last_delivery_at = utcnow()
    stream.last_delivery_status, stream.last_delivery_error = status, error
    if status is not None and 200 <= status < 300:
        stream.last_synced_at = stream.last_delivery_at


def state(stream: LogStream) -> str:
    """`active` while deliveries succeed (or none was made yet), else `error`."""
    if stream.last_delivery_at is None:
        return "active"
    ok = stream.last_delivery_status is not None and 200 <= stream.last_delivery_status < 300
    return "active" if ok else "error"


def send_test(organization_id: str) -> tuple[int | None, str]:
    """Send a test event now; returns the receiver's status (None: no answer) and its words."""
    stream = stream_of(organization_id)
    if stream is None:
        raise NotFound("Set up a log stream first.")
    status, text = send(stream, test_event(organization_id))
    note_delivery(stream, status, None if status is not None else text)
    db.session.commit()
    return status, text


def send(stream: LogStream, event: dict) -> tuple[int | None, str]:
    """POST one event to the stream: the receiver's status and the start of its answer, or
    None and why nothing came back (refused address, timeout, TLS failure...)."""
    try:
        request = outgoing(stream, event)
        response = outbound.post(
            request.url,
            request.body,
            request.headers,
            timeout=TIMEOUT_SECONDS,
            max_bytes=RESPONSE_KEPT,
        )
    except OutboundError as error:
        return None, str(error)
    return response.status, readable_text(response.body)[:RESPONSE_KEPT]


def reencrypt_credentials() -> int:
    """Seal every stream's key or token under the current SECRET_KEY; returns how many changed."""
    changed = 0
    for stream in db.session.scalars(select(LogStream)):
        sealed = stream.sealed_credential
        if sealed and not encryption.is_current(sealed):
            stream.sealed_credential = encryption.encrypt(encryption.decrypt(sealed))
            changed += 1
    db.session.commit()
    return changed
