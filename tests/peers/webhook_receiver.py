"""A real webhook receiver on loopback, as a developer's app would run one.

It checks each delivery's `WorkOS-Signature` with the official `workos` SDK, answers with the
status the test chose for that arrival, and records everything. Like a careful receiver it
de-duplicates by event id: an event it already accepted is acknowledged again but not processed
twice, and `duplicates` counts such repeats.
"""

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response
from workos import WorkOSClient


@dataclass
class Arrival:
    event_id: str | None
    event_type: str | None
    signature_ok: bool
    status: int
    nth: int  # the how-manieth arrival of this event (1 for the first)
    headers: dict
    body: bytes


class WebhookReceiver:
    """An HTTP server in a daemon thread; `url` is where to point an endpoint."""

    def __init__(self, path: str = "/hooks", port: int = 0):
        self.secret: str | None = None
        self.path = path
        # Which status to answer for an event's n-th arrival; 200 unless a test says otherwise.
        self.status_for: Callable[[str, int], int] = lambda event_id, nth: 200
        self.arrivals: list[Arrival] = []
        self.processed: list[str] = []
        self.duplicates = 0
        self._seen: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._sdk = WorkOSClient(api_key="sk_receiver", client_id="client_receiver")
        # A given port brings a receiver back up where a stopped one listened.
        self._server = make_server("127.0.0.1", port, self._wsgi, threaded=True)
        # A short poll interval lets `stop` return at once rather than in half a second.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    @property
    def port(self) -> int:
        return self._server.server_port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self._sdk.close()

    def accepted(self) -> list[Arrival]:
        """Arrivals answered with a 2xx."""
        return [a for a in self.arrivals if 200 <= a.status < 300]

    def _wsgi(self, environ, start_response):
        request = Request(environ)
        body = request.get_data()
        signature = request.headers.get("WorkOS-Signature", "")
        try:
            event = self._sdk.webhooks.verify_event(
                event_body=body, event_signature=signature, secret=self.secret or ""
            )
        except ValueError:
            arrival = self._record(None, None, False, body, request, lambda *_: 400)
        else:
            arrival = self._record(event.id, event.event, True, body, request, self.status_for)
        return Response(f"status {arrival.status}", status=arrival.status)(environ, start_response)

    def _record(self, event_id, event_type, ok, body, request, status_for) -> Arrival:
        with self._lock:
            self._seen[event_id] += 1
            nth = self._seen[event_id]
            status = status_for(event_id, nth)
            if 200 <= status < 300 and event_id is not None:
                if event_id in self.processed:
                    self.duplicates += 1
                else:
                    self.processed.append(event_id)
            arrival = Arrival(event_id, event_type, ok, status, nth, dict(request.headers), body)
            self.arrivals.append(arrival)
            return arrival
