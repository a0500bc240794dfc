"""Requests to URLs that other people chose (webhook endpoints, metadata URLs, OIDC discovery).

Such a URL must not become a way into the network portal runs in (SSRF): its host is resolved
once, every address it resolves to must be public, and the connection goes to one of those
checked addresses, so a DNS answer that changes between the check and the connection (DNS
rebinding) cannot redirect it. Redirects are not followed, since the next hop would need the
same checks. Each request has a hard deadline and reads at most `max_bytes` of the answer.

`PORTAL_OUTBOUND_ALLOW_PRIVATE` lifts the address rule (tests, single-machine setups); in
production only https URLs are allowed.
"""

import contextlib
import http.client
import ipaddress
import re
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import SplitResult, urlsplit

from flask import current_app

from portal.errors import ConnectFailed, DestinationRefused, OutboundError

MAX_URL_LENGTH = 2048
# RFC 3986's characters, percent escapes for the rest, and one `#` at most.
_PART = r"(?:[A-Za-z0-9\-._~:/?\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*"
URI_CHARACTERS = re.compile(f"{_PART}(?:#{_PART})?")
_PORT = r"(?::(?:[0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?"
_PIECE = r"(?:[A-Za-z0-9\-._~:/?@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*"
_REST = f"(?:[/?]{_PIECE})?(?:#{_PIECE})?"


def url_pattern(scheme_and_host: str) -> str:
    """The pattern of URLs starting with `scheme_and_host` (a regex), then a port, path, query
    and fragment of RFC 3986's characters."""
    return f"^{scheme_and_host}{_PORT}{_REST}$"


# The form `check_url` accepts, as the OpenAPI document states it (a host by name or IPv4
# address; the server also reads an [IPv6] host).
URL_PATTERN = url_pattern(r"https?://[A-Za-z0-9.-]+")
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_BYTES = 64 * 1024
NAT64 = ipaddress.ip_network("64:ff9b::/96")
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Destination:
    """A URL that passed the checks, with the addresses its host resolved to."""

    scheme: str
    host: str
    port: int
    target: str
    addresses: tuple[str, ...]


@dataclass(frozen=True)
class OutboundResponse:
    status: int
    body: bytes
    latency_ms: int
    truncated: bool = False
    headers: dict[str, str] = field(default_factory=dict)


def check_url(url: str) -> SplitResult:
    """The URL's parts, if its form may be called (no DNS lookup); else DestinationRefused."""
    if len(url) > MAX_URL_LENGTH:
        raise DestinationRefused(f"The URL is longer than {MAX_URL_LENGTH} characters.")
    if not url.isascii() or any(c.isspace() or ord(c) < 32 for c in url):
        raise DestinationRefused("The URL must be ASCII without spaces (percent-encode the rest).")
    if not URI_CHARACTERS.fullmatch(url):
        raise DestinationRefused(
            'The URL holds a character a URL cannot (such as " < > { } | \\ ^ ` or a second #), '
            "or a % not followed by two hex digits: percent-encode it."
        )
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises on a port that is not a number in range)
    except ValueError as error:
        raise DestinationRefused(f"The URL cannot be read: {error}.") from None
    allowed = ("https",) if _production() else ("https", "http")
    if parts.scheme not in allowed:
        raise DestinationRefused(f"The URL must start with {' or '.join(allowed)}://.")
    if not parts.hostname:
        raise DestinationRefused("The URL has no host.")
    if parts.username is not None or parts.password is not None:
        raise DestinationRefused("The URL must not contain a user name or password.")
    return parts


def resolve(url: str) -> Destination:
    """Check the URL and every address its host resolves to; DestinationRefused if any fails."""
    parts = check_url(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        found = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise DestinationRefused(
            f"The host {parts.hostname} could not be resolved ({error})."
        ) from None
    addresses = tuple(dict.fromkeys(info[4][0] for info in found))
    if not _allow_private():
        for address in addresses:
            problem = address_problem(ipaddress.ip_address(address.partition("%")[0]))
            if problem:
                raise DestinationRefused(
                    f"The host {parts.hostname} resolves to {address}, a {problem} address; "
                    "only public addresses can be called." + _local_hint()
                )
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Destination(parts.scheme, parts.hostname, port, target, addresses)


def address_problem(address: IPAddress) -> str | None:
    """What makes an address unfit to call (loopback, private, ...), or None for public."""
    if address.version == 6:
        address = _embedded_ipv4(address) or address
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
        ("non-public", not address.is_global),
    )
    return next((name for name, applies in checks if applies), None)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    # IPv4-mapped, NAT64 and 6to4 addresses reach the IPv4 address inside them.
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.ipv4_mapped or address.sixtofour


def post(url: str, body: bytes, headers: dict[str, str] | None = None, **limits):
    """POST `body` to a checked URL; see `request`."""
    return request("POST", url, body=body, headers=headers, **limits)


def get(url: str, headers: dict[str, str] | None = None, **limits):
    """GET a checked URL; see `request`."""
    return request("GET", url, headers=headers, **limits)


def request(
    method: str,
    url: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> OutboundResponse:
    """Send one request within `timeout` seconds in all; any status is a response, anything
    else (refused URL, unreachable host, TLS failure, timeout) raises OutboundError."""
    destination = resolve(url)
    call = _Call(method, body, headers or {}, time.monotonic() + timeout, timeout, max_bytes)
    last_error: OSError | None = None
    for address in destination.addresses:
        if call.remaining() <= 0:
            break
        kind = _PinnedHTTPSConnection if destination.scheme == "https" else _PinnedHTTPConnection
        connection = kind(destination, address, call.remaining())
        try:
            return _exchange(connection, destination, call)
        except ConnectFailed as failure:
            last_error = failure.error
        finally:
            connection.close()
    raise OutboundError(f"Could not connect to {destination.host}: {last_error or 'timed out'}.")


@dataclass(frozen=True)
class _Call:
    method: str
    body: bytes | None
    headers: dict[str, str]
    deadline: float
    timeout: float
    max_bytes: int

    def remaining(self) -> float:
        return self.deadline - time.monotonic()


def _exchange(connection, destination: Destination, call: _Call) -> OutboundResponse:
    started = time.monotonic()
    aborted = threading.Event()
    watchdog = threading.Timer(call.remaining(), _abort, (connection, aborted))
    watchdog.daemon = True
    watchdog.start()
    try:
        try:
            connection.connect()
        except OSError as error:
            raise ConnectFailed(error) from None
        connection.request(call.method, destination.target, body=call.body, headers=call.headers)
        response = connection.getresponse()
        latency_ms = int((time.monotonic() - started) * 1000)
        data = _read_at_most(response, call.max_bytes)
    except (OSError, http.client.HTTPException) as error:
        # The socket's own timeout is the time left at connect, so it may fire first.
        if aborted.is_set() or isinstance(error, TimeoutError):
            raise _timed_out(call) from None
        raise OutboundError(f"The request to {destination.host} failed: {error!r}.") from None
    finally:
        watchdog.cancel()
    if aborted.is_set():  # a peer cut off mid-answer can look like a short, complete one
        raise _timed_out(call)
    return OutboundResponse(
        status=response.status,
        body=data[: call.max_bytes],
        latency_ms=latency_ms,
        truncated=len(data) > call.max_bytes,
        headers={name.lower(): value for name, value in response.getheaders()},
    )


def _timed_out(call: _Call) -> OutboundError:
    return OutboundError(f"No complete answer within {call.timeout:g} seconds.")


def _read_at_most(response: http.client.HTTPResponse, max_bytes: int) -> bytes:
    """Up to max_bytes + 1 bytes of the body (one more shows that it was cut short)."""
    chunks, size = [], 0
    while size <= max_bytes:
        chunk = response.read(max_bytes + 1 - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _abort(connection: http.client.HTTPConnection, aborted: threading.Event) -> None:
    # Past the deadline: shutting the socket down wakes a read blocked on a slow peer.
    aborted.set()
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the checked address, while Host names the URL's host."""

    def __init__(self, destination: Destination, address: str, timeout: float):
        super().__init__(destination.host, destination.port, timeout=timeout)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """TLS to the checked address; the certificate must name the URL's host."""

    def __init__(self, destination: Destination, address: str, timeout: float):
        context = ssl.create_default_context()
        super().__init__(destination.host, destination.port, timeout=timeout, context=context)
        self.address = address

    def connect(self):
        # The plain socket is held first, so the deadline can cut a slow TLS handshake short.
        self.sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(self.sock, server_hostname=self.host)


def _allow_private() -> bool:
    return bool(current_app.config.get("PORTAL_OUTBOUND_ALLOW_PRIVATE"))


def _local_hint() -> str:
    # A developer trying portal against a receiver on their own machine needs the way out;
    # a production operator must not be nudged to open the network.
    if _production():
        return ""
    return (
        " Trying it on your own machine? Start portal with PORTAL_OUTBOUND_ALLOW_PRIVATE=1"
        " to allow private and loopback addresses (never in production)."
    )


def _production() -> bool:
    return current_app.config.get("PORTAL_ENV") == "production"
