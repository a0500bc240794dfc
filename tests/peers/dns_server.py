"""A real DNS server on loopback (dnslib's zone resolver), serving a zone the test writes."""

import socket
import subprocess
import sys
import time
from pathlib import Path

import dns.resolver


def free_port() -> int:
    """A loopback port free for both UDP and TCP (the server listens on both)."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            port = udp.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind(("127.0.0.1", port))
                except OSError:
                    continue
        return port


class ZoneServer:
    def __init__(self, folder: Path):
        self.zone_file = folder / "zone.txt"
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def serve(self, zone_lines: list[str]) -> None:
        """(Re)start the server with exactly these zone lines."""
        self.stop()
        self.zone_file.write_text("\n".join(zone_lines) + "\n")
        for _ in range(3):
            self._start()
            if self._wait_until_answering():
                return
            self.stop()
            self.port = free_port()  # another process took the port meanwhile
        raise RuntimeError("the DNS test server did not start")

    def _start(self) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "dnslib.zoneresolver",
                "--zone",
                str(self.zone_file),
                "--address",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--tcp",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def _wait_until_answering(self) -> bool:
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = ["127.0.0.1"]
        resolver.port = self.port
        resolver.lifetime = 0.5
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                resolver.resolve("probe.invalid.", "TXT")
            except dns.resolver.NXDOMAIN:
                return True
            except dns.exception.DNSException:
                time.sleep(0.05)
        return False

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None
