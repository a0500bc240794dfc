"""Webhook fan-out through the real worker: a webhook endpoint on a loopback receiver,
subscribed to `organization.updated`, made through the API before the traffic (as an
endpoint is; the web processes' subscription caches have seen it); then N events recorded
in one transaction through the services (the outbox, as a bulk change writes it), whose
commit queues their fan-out to `portal worker`. The figure is N over the time from the
commit to the last event's arrival; every event must arrive at least once (duplicates are
counted, not refused).
"""

import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bench.deployment import free_port
from bench.load import Client, expect
from bench.pages_http import api_headers
from portal.extensions import db
from portal.services.delivery import events
from portal.services.delivery.webhook_deliveries import SUBSCRIPTIONS_TTL

# The longest the bench waits for the last delivery (the whole bench should stay near 10 min).
WAIT_SECONDS = float(os.environ.get("BENCH_WEBHOOK_WAIT", 30))


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
        if body.get("event") == "organization.updated":
            self.server.note(body["data"]["id"])
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def run(app, port: int, api_key: str, count: int) -> dict:
    receiver = Receiver()
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    try:
        _subscribe(port, api_key, f"http://127.0.0.1:{receiver.server_address[1]}/hooks")
        return _fan_out(app, count, receiver)
    finally:
        receiver.shutdown()
        receiver.server_close()


def _subscribe(port: int, api_key: str, url: str) -> None:
    body = {"endpoint_url": url, "events": ["organization.updated"]}
    status, answer, _ = Client(port, api_headers(api_key)).call("POST", "/webhook_endpoints", body)
    expect(status, (201,), "webhook endpoint", answer)
    # Every web process and the worker read subscriptions at most once a TTL.
    time.sleep(SUBSCRIPTIONS_TTL.total_seconds() + 1)


def _fan_out(app, count: int, receiver: Receiver) -> dict:
    ids = {f"org_fanout{number:06d}" for number in range(count)}
    with app.app_context():
        for organization_id in sorted(ids):
            data = {"object": "organization", "id": organization_id, "name": "Fan-out"}
            events.record("organization.updated", data, organization_id)
        started = time.perf_counter()
        db.session.commit()
    complete = receiver.wait_for(ids, seconds=WAIT_SECONDS)
    finished = (receiver.last_arrival if complete else time.perf_counter()) - started
    arrived = len(ids & receiver.arrived.keys())
    return {
        "events": count,
        "arrived": arrived,
        "duplicates": sum(receiver.arrived.values()) - len(receiver.arrived),
        "deliveries_per_s": arrived / finished,
        "seconds": finished,
        "complete": complete,
    }
