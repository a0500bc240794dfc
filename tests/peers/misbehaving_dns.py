"""DNS servers that misbehave on purpose: one never answers, one answers SERVFAIL."""

import socket
import threading

from dnslib import RCODE, DNSRecord


class MisbehavingDns:
    def __init__(self, mode: str):
        self.mode = mode  # "silent" or "servfail"
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.settimeout(0.2)
        self.address = f"127.0.0.1:{self._socket.getsockname()[1]}"
        self._running = True
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while self._running:
            try:
                data, peer = self._socket.recvfrom(4096)
            except OSError:
                continue
            if self.mode == "servfail":
                reply = DNSRecord.parse(data).reply()
                reply.header.rcode = RCODE.SERVFAIL
                self._socket.sendto(reply.pack(), peer)

    def stop(self) -> None:
        self._running = False
        self._thread.join(timeout=2)
        self._socket.close()
