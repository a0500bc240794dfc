"""A Redis server of the test's own on loopback, to flush, stop and start (never the shared one)."""

import subprocess
import time

from redis import Redis
from redis.exceptions import RedisError

from tests.peers.dns_server import free_port

NO_PERSISTENCE = ("--save", "", "--appendonly", "no")


class OwnRedis:
    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen | None = None

    def start(self) -> None:
        self._process = subprocess.Popen(
            [*("redis-server", "--bind", "127.0.0.1", "--port", str(self.port)), *NO_PERSISTENCE],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                Redis.from_url(self.url).ping()
                return
            except RedisError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)

    def flushall(self) -> None:
        Redis.from_url(self.url).flushall()

    def kill(self) -> None:
        """Kill the server outright (SIGKILL): it comes back empty, as it keeps nothing on disk."""
        self._process.kill()
        self._process.wait(timeout=10)
        self._process = None

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)
            self._process = None
