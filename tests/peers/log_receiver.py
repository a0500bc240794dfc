"""Log platforms on loopback: a Datadog logs intake, a Splunk HTTP Event Collector and a plain
HTTPS-style endpoint, each checking requests the way the real service does (path, key header,
body shape), answering the status a test chose for each arrival, and recording everything."""

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

DATADOG_PATH = "/api/v2/logs"
SPLUNK_PATH = "/services/collector/event"


@dataclass
class Arrival:
    path: str
    headers: dict
    body: object
    status: int
    problem: str | None  # what the receiver found wrong, as the real service would refuse it


class LogReceiver:
    """`kind` is "datadog", "splunk" or "https"; `credential` the key or token it expects."""

    def __init__(self, kind: str, credential: str = ""):
        self.kind, self.credential = kind, credential
        # The status for the n-th well-formed arrival (1-based); 2xx unless a test says otherwise.
        self.status_for: Callable[[int], int] = lambda nth: 202 if kind == "datadog" else 200
        self.arrivals: list[Arrival] = []
        self._lock = threading.Lock()
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def accepted(self) -> list[Arrival]:
        return [a for a in self.arrivals if 200 <= a.status < 300]

    def _wsgi(self, environ, start_response):
        request = Request(environ)
        try:
            body = json.loads(request.get_data())
        except ValueError:
            body = None
        problem = self._problem(request, body)
        with self._lock:
            if problem:
                status = 403 if "key" in problem or "token" in problem else 400
            else:
                status = self.status_for(len([a for a in self.arrivals if not a.problem]) + 1)
            self.arrivals.append(
                Arrival(request.path, dict(request.headers), body, status, problem)
            )
        return Response(json.dumps({"status": status, "problem": problem}), status=status)(
            environ, start_response
        )

    def _problem(self, request: Request, body) -> str | None:
        if request.method != "POST" or request.mimetype != "application/json":
            return "expected a JSON POST"
        if self.kind == "datadog":
            return _datadog_problem(request, body, self.credential)
        if self.kind == "splunk":
            return _splunk_problem(request, body, self.credential)
        expected = f"Bearer {self.credential}" if self.credential else None
        if request.headers.get("Authorization") != expected:
            return "wrong bearer token"
        return None if isinstance(body, dict) and "action" in body else "not an event"


def _datadog_problem(request: Request, body, api_key: str) -> str | None:
    if request.path != DATADOG_PATH:
        return f"unknown path {request.path}"
    if request.headers.get("DD-API-KEY") != api_key:
        return "invalid API key"
    if not isinstance(body, list) or not body:
        return "expected a JSON array of logs"
    for entry in body:
        if not {"ddsource", "service", "message"} <= set(entry):
            return "log entry without ddsource/service/message"
    return None


def _splunk_problem(request: Request, body, token: str) -> str | None:
    if request.path != SPLUNK_PATH:
        return f"unknown path {request.path}"
    if request.headers.get("Authorization") != f"Splunk {token}":
        return "invalid token"
    if not isinstance(body, dict) or "event" not in body:
        return "event field is required"
    if not isinstance(body.get("time"), int | float):
        return "time must be epoch seconds"
    return None
