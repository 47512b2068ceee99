"""A small SMTP server on 127.0.0.1 (asyncio, in a daemon thread) that keeps what it receives.

It speaks enough of RFC 5321 for ``smtplib``: EHLO/HELO, MAIL, RCPT, DATA (dot-unstuffed),
RSET, NOOP, QUIT; no TLS and no AUTH (point ``AIGO_SMTP_STARTTLS=off`` at it). Faults for tests
are queued per message with :meth:`FakeSmtp.fail_next`:

- ``"421"`` / ``"550"``: answer MAIL FROM with that code (temporary / permanent refusal);
- ``"drop-data"``: read the whole message, then close the connection without answering, so the
  client cannot know whether it was accepted (the server keeps it: it did arrive).

Received messages are :class:`Received` (``message`` parsed with :mod:`email`); :meth:`wait_for`
waits until ``count`` have arrived.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import cast


@dataclass(frozen=True)
class Received:
    """One message the server accepted (or kept before dropping the connection)."""

    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        """The decoded Subject header."""
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        """The decoded text body."""
        part = self.message.get_body(("plain",))
        return str(part.get_content()) if part is not None else ""


class FakeSmtp:
    """Start with :meth:`start`; ``port`` is where it listens on 127.0.0.1."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.faults: list[str] = []
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._lock = threading.Lock()

    def start(self) -> FakeSmtp:
        """Listen on a free port; return once it accepts connections."""
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._session, "127.0.0.1", 0), self._loop
        )
        self._server = future.result(timeout=10)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        """Stop listening and end the thread."""
        if self._server is not None:
            self._server.close()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    def fail_next(self, *faults: str) -> None:
        """Queue faults for the next messages, in order (see the module docstring)."""
        with self._lock:
            self.faults.extend(faults)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """The received messages once there are ``count``; raises ``TimeoutError``."""
        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(self.received)} of {count} e-mails arrived")
            time.sleep(0.01)
        return list(self.received)

    def _fault(self) -> str:
        with self._lock:
            return self.faults.pop(0) if self.faults else ""

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        def reply(line: str) -> None:
            writer.write(f"{line}\r\n".encode())

        reply("220 fake-smtp ready")
        sender, recipients, fault = "", [], ""
        try:
            while raw := await reader.readline():
                command = raw.decode(errors="replace").strip()
                verb = command[:4].upper()
                if verb in ("EHLO", "HELO"):
                    reply("250-fake-smtp" if verb == "EHLO" else "250 fake-smtp")
                    if verb == "EHLO":
                        reply("250 8BITMIME")
                elif verb == "MAIL":
                    fault = self._fault()
                    if fault in ("421", "550"):
                        reply(f"{fault} refused by the fake server")
                        continue
                    sender, recipients = command.split(":", 1)[1].strip(" <>"), []
                    reply("250 OK")
                elif verb == "RCPT":
                    recipients.append(command.split(":", 1)[1].strip(" <>"))
                    reply("250 OK")
                elif verb == "DATA":
                    reply("354 end with <CRLF>.<CRLF>")
                    await writer.drain()
                    data = await self._data(reader)
                    parsed = cast(EmailMessage, message_from_bytes(data, policy=policy.default))
                    self.received.append(Received(sender, recipients, parsed))
                    if fault == "drop-data":
                        break
                    reply("250 OK queued")
                elif verb == "QUIT":
                    reply("221 bye")
                    break
                else:  # RSET, NOOP and anything else
                    reply("250 OK")
                await writer.drain()
        finally:
            writer.close()

    @staticmethod
    async def _data(reader: asyncio.StreamReader) -> bytes:
        lines = []
        while (line := await reader.readline()) not in (b".\r\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)
        return b"".join(lines)
