"""Webhook fan-out through the real worker: a webhook endpoint on a loopback receiver,
subscribed to `organization.created`; 8 API clients create N organizations; the figure is
N over the time from the first create to the last event's arrival, and every organization's
event must arrive at least once (duplicates are counted, not refused).
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bench.deployment import free_port
from bench.load import Client, expect, run_parallel
from bench.pages_http import api_headers

CLIENTS = 8


class Receiver(ThreadingHTTPServer):
    """Answers 200 to every POST and keeps each delivery's organization id."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", free_port()), _Handler)
        self.arrived: dict[str, int] = {}
        self.changed = threading.Condition()
        self.last_arrival = 0.0

    def note(self, organization_id: str) -> None:
        with self.changed:
            self.arrived[organization_id] = self.arrived.get(organization_id, 0) + 1
            self.last_arrival = time.perf_counter()
            self.changed.notify_all()

    def wait_for(self, wanted: set[str], seconds: float) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: wanted <= self.arrived.keys(), seconds)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if body.get("event") == "organization.created":
            self.server.note(body["data"]["id"])
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def run(port: int, api_key: str, events: int) -> dict:
    receiver = Receiver()
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    try:
        return _fan_out(port, api_key, events, receiver)
    finally:
        receiver.shutdown()
        receiver.server_close()


def _fan_out(port: int, api_key: str, events: int, receiver: Receiver) -> dict:
    headers = api_headers(api_key)
    url = f"http://127.0.0.1:{receiver.server_address[1]}/hooks"
    body = {"endpoint_url": url, "events": ["organization.created"]}
    status, answer, _ = Client(port, headers).call("POST", "/webhook_endpoints", body)
    expect(status, (201,), "webhook endpoint", answer)
    created: set[str] = set()

    def create(client, number):
        status, answer, elapsed = client.call("POST", "/organizations", {"name": f"Fan {number}"})
        expect(status, (201,), "create organization", answer)
        created.add(answer["id"])
        return elapsed

    clients = [Client(port, headers) for _ in range(CLIENTS)]
    started = time.perf_counter()
    creates = run_parallel("create organization", list(range(events)), create, clients)
    complete = receiver.wait_for(created, seconds=60 + events / 50)
    finished = (receiver.last_arrival if complete else time.perf_counter()) - started
    arrived = len(created & receiver.arrived.keys())
    return {
        "events": events,
        "arrived": arrived,
        "duplicates": sum(receiver.arrived.values()) - len(receiver.arrived),
        "deliveries_per_s": arrived / finished,
        "creates": creates,
        "after_last_create": finished - creates.wall,
    }
