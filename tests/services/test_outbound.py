"""Outbound requests to URLs others chose: the address and scheme rules (SSRF), the hard
deadline and the size limit, against real servers on loopback."""

import ipaddress
import socket
import threading

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from portal import create_app
from portal.errors import DestinationRefused, OutboundError
from portal.services.infra import outbound
from tests.environment import config_for


def app_with(**settings):
    return create_app(config_for("sqlite://", **settings))


@pytest.fixture
def strict():
    """The default: private addresses refused, development (http allowed)."""
    with app_with().app_context():
        yield


@pytest.fixture
def lenient():
    """PORTAL_OUTBOUND_ALLOW_PRIVATE, as tests with loopback receivers use."""
    with app_with(PORTAL_OUTBOUND_ALLOW_PRIVATE=True).app_context():
        yield


@pytest.fixture
def production():
    settings = {"PORTAL_ENV": "production", "SECRET_KEY": "s" * 40}
    with app_with(PORTAL_PUBLIC_URL="https://portal.test", **settings).app_context():
        yield


class Server:
    """A WSGI app served on loopback that records each request."""

    def __init__(self, respond):
        self.requests = []
        self._respond = respond
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    @property
    def port(self) -> int:
        return self._server.server_port

    def _wsgi(self, environ, start_response):
        request = Request(environ)
        self.requests.append((request.method, request.full_path, request.headers, request.data))
        return self._respond(request)(environ, start_response)

    def stop(self):
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def server():
    made = []

    def serve(respond=lambda request: Response("hello", status=200)):
        made.append(Server(respond))
        return made[-1]

    yield serve
    for each in made:
        each.stop()


class RawServer:
    """A TCP peer that misbehaves: `silent` accepts and never answers; `drip` sends a status
    line and then one header byte every 50 ms, forever."""

    def __init__(self, behaviour: str):
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._stop = threading.Event()
        self._behaviour = behaviour
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def port(self) -> int:
        return self._listener.getsockname()[1]

    def _serve(self):
        connection, _ = self._listener.accept()
        with connection:
            if self._behaviour == "drip":
                connection.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
                while not self._stop.wait(0.05):
                    try:
                        connection.sendall(b"a")
                    except OSError:
                        return
            self._stop.wait(10)

    def stop(self):
        self._stop.set()
        self._listener.close()


@pytest.fixture
def raw_server():
    made = []

    def serve(behaviour: str) -> RawServer:
        made.append(RawServer(behaviour))
        return made[-1]

    yield serve
    for each in made:
        each.stop()


# Where a URL may point


REFUSED_HOSTS = [
    ("127.0.0.1", "loopback"),
    ("localhost", "loopback"),
    ("2130706433", "loopback"),  # 127.0.0.1 written as one number
    ("0x7f.1", "loopback"),
    ("[::1]", "loopback"),
    ("[::ffff:127.0.0.1]", "loopback"),  # IPv4-mapped
    ("[64:ff9b::7f00:1]", "loopback"),  # NAT64
    ("10.1.2.3", "private"),
    ("172.16.0.1", "private"),
    ("192.168.1.1", "private"),
    ("[fd00::1]", "private"),
    ("169.254.169.254", "link-local"),  # cloud metadata service
    ("[fe80::1]", "link-local"),
    ("224.0.0.1", "multicast"),
    ("[ff02::1]", "multicast"),
    ("240.0.0.1", "reserved"),
    ("0.0.0.0", "unspecified"),  # noqa: S104
    ("[::]", "unspecified"),
    ("100.64.0.1", "non-public"),  # carrier-grade NAT
    ("192.0.2.1", "private"),  # documentation range
]


@pytest.mark.parametrize(("host", "kind"), REFUSED_HOSTS)
def test_private_and_special_addresses_are_refused(strict, server, host, kind):
    listening = server()
    url = f"http://{host}:{listening.port}/hook"
    with pytest.raises(DestinationRefused, match=f"a {kind} address"):
        outbound.post(url, b"{}")
    assert listening.requests == []


def test_every_address_of_a_name_is_checked(strict):
    # `localhost` may resolve to ::1 and 127.0.0.1; one bad address is enough to refuse.
    with pytest.raises(DestinationRefused, match="localhost resolves to"):
        outbound.resolve("http://localhost/")


@pytest.mark.parametrize(
    "address", ["1.1.1.1", "8.8.8.8", "2606:4700:4700::1111", "2001:4860:4860::8888"]
)
def test_public_addresses_are_allowed(address):
    assert outbound.address_problem(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://1.1.1.1/hook", "must start with https or http"),
        ("https://user:secret@1.1.1.1/hook", "user name or password"),
        ("https:///hook", "has no host"),
        ("https://1.1.1.1:99999/hook", "cannot be read"),
        ("https://exämple.com/hook", "ASCII"),
        ("https://1.1.1.1/a b", "ASCII without spaces"),
        ("https://1.1.1.1/" + "a" * 2048, "longer than 2048"),
        ("https://no-such-host.invalid/hook", "could not be resolved"),
    ],
)
def test_urls_of_the_wrong_form_are_refused(strict, url, reason):
    with pytest.raises(DestinationRefused, match=reason):
        outbound.resolve(url)


def test_production_allows_https_only(production):
    with pytest.raises(DestinationRefused, match="must start with https://"):
        outbound.resolve("http://1.1.1.1/hook")
    destination = outbound.resolve("https://1.1.1.1/hook?x=1")
    assert (destination.port, destination.target, destination.addresses) == (
        443,
        "/hook?x=1",
        ("1.1.1.1",),
    )


def test_production_keeps_refusing_private_addresses(production):
    with pytest.raises(DestinationRefused, match="loopback"):
        outbound.resolve("https://127.0.0.1/hook")


# Requests


def test_a_post_reaches_the_checked_address_with_the_urls_host(lenient, server):
    listening = server(lambda request: Response("got it", status=202))
    response = outbound.post(
        f"http://localhost:{listening.port}/hook?a=1", b'{"x":1}', {"X-Test": "yes"}
    )
    assert (response.status, response.body, response.truncated) == (202, b"got it", False)
    [(method, path, headers, data)] = listening.requests
    assert (method, path, data) == ("POST", "/hook?a=1", b'{"x":1}')
    assert headers["Host"] == f"localhost:{listening.port}"
    assert headers["X-Test"] == "yes"
    assert response.latency_ms >= 0


def test_only_the_first_bytes_of_an_answer_are_read(lenient, server):
    listening = server(lambda request: Response("x" * 10_000))
    response = outbound.get(f"http://127.0.0.1:{listening.port}/", max_bytes=2048)
    assert response.body == b"x" * 2048
    assert response.truncated


def test_redirects_are_returned_not_followed(lenient, server):
    listening = server(
        lambda request: Response(status=302, headers={"Location": "http://169.254.169.254/"})
    )
    response = outbound.get(f"http://127.0.0.1:{listening.port}/")
    assert response.status == 302
    assert len(listening.requests) == 1


def test_a_closed_port_is_an_outbound_error(lenient):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    with pytest.raises(OutboundError, match=r"Could not connect to 127\.0\.0\.1"):
        outbound.post(f"http://127.0.0.1:{port}/", b"{}")


@pytest.mark.parametrize("behaviour", ["silent", "drip"])
def test_a_slow_peer_is_cut_off_at_the_deadline(lenient, raw_server, behaviour):
    peer = raw_server(behaviour)
    with pytest.raises(OutboundError, match=r"No complete answer within 0\.3 seconds"):
        outbound.post(f"http://127.0.0.1:{peer.port}/", b"{}", timeout=0.3)


def test_tls_failures_are_outbound_errors(lenient, server):
    listening = server()  # plain http where https is expected
    with pytest.raises(OutboundError, match=r"Could not connect.*WRONG_VERSION_NUMBER"):
        outbound.get(f"https://127.0.0.1:{listening.port}/")
