"""A real SMTP server (aiosmtpd) on loopback that keeps what it receives."""

import socket
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Keep:
    def __init__(self, received: list):
        self.received = received

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.received.append((envelope.rcpt_tos, message))
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self):
        self.received: list = []
        self.port = _free_port()
        self._running = False
        self.start()
        self.url = f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Serve on this server's port (again, after `stop`: a mail server coming back)."""
        if not self._running:
            self._controller = Controller(
                _Keep(self.received), hostname="127.0.0.1", port=self.port
            )
            self._controller.start()
            self._running = True

    def stop(self) -> None:
        """Stop serving (safe to call twice: a test may stop it to see mail fail)."""
        if self._running:
            self._controller.stop()
            self._running = False
