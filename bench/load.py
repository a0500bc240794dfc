"""Loopback HTTP clients for the benches: keep-alive connections driven by threads.

`run_parallel` hands items from one shared queue to N clients at once, as an IdP's
provisioning workers (or a browser's users) take work, and keeps each request's latency.
"""

import http.client
import json
import statistics
import threading
import time


class Client:
    """One keep-alive HTTP/1.1 connection to 127.0.0.1:port with fixed headers."""

    def __init__(self, port: int, headers: dict | None = None, base: str = ""):
        self.port = port
        self.base = base
        self.headers = dict(headers or {})
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        """(status, body bytes, seconds taken, response headers)."""
        sent = {**self.headers, **(headers or {})}
        started = time.perf_counter()
        try:
            self.connection.request(method, self.base + path, body=body, headers=sent)
            response = self.connection.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # The server closed an idle keep-alive connection: open a new one, once.
            self.connection.close()
            started = time.perf_counter()
            self.connection.request(method, self.base + path, body=body, headers=sent)
            response = self.connection.getresponse()
        data = response.read()
        return response.status, data, time.perf_counter() - started, response

    def call(self, method: str, path: str, body=None) -> tuple[int, dict | None, float]:
        """A JSON request: (status, JSON body or None, seconds taken)."""
        payload = json.dumps(body).encode() if body is not None else None
        status, data, elapsed, _ = self.request(method, path, payload)
        return status, (json.loads(data) if data else None), elapsed

    def close(self) -> None:
        self.connection.close()


def expect(status: int, wanted: tuple[int, ...], what: str, body) -> None:
    if status not in wanted:
        raise RuntimeError(f"{what}: HTTP {status} {body!r:.300}")


class Phase:
    """Latencies and wall time of one operation run by several clients at once."""

    def __init__(self, label: str):
        self.label = label
        self.latencies: list[float] = []
        self.wall = 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.wall if self.wall else 0.0

    def percentile_ms(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        if fraction == 0.5:
            return statistics.median(ordered) * 1000
        return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] * 1000

    def summary(self) -> str:
        digits = 0 if self.rate >= 10 else 1
        return (
            f"{self.rate:7.{digits}f} /s  p50 {self.percentile_ms(0.5):6.1f} ms  "
            f"p99 {self.percentile_ms(0.99):6.1f} ms"
        )

    def row(self) -> tuple[str, str]:
        return self.label, f"{self.summary()}   (n={len(self.latencies)})"


def run_parallel(
    label: str, items: list, action, clients: list, seconds: float | None = None
) -> Phase:
    """The clients work through `items` at once, each taking the next item when done with its
    last; `action(client, item)` returns one latency. With `seconds`, no item is started
    after that long (a slow phase is cut short; its rate stays right). (With the items dealt
    out beforehand, a phase lasts as long as the clients whose connections landed on the
    busiest server process, which measures the spread of connections rather than the
    server.)"""
    phase = Phase(label)
    lock = threading.Lock()
    queue = iter(items)
    errors: list[BaseException] = []
    deadline = time.perf_counter() + seconds if seconds else None

    def next_item():
        if deadline is not None and time.perf_counter() > deadline:
            return None
        with lock:
            return next(queue, None)

    def work(index: int):
        mine = []
        try:
            while (item := next_item()) is not None:
                mine.append(action(clients[index], item))
        except BaseException as error:  # reported after the join
            errors.append(error)
        with lock:
            phase.latencies.extend(mine)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(clients))]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    phase.wall = time.perf_counter() - started
    if errors:
        raise errors[0]
    return phase
