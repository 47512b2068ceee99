"""A raw HTTP/1.1 client for the fuzz tests: bytes on a socket, exactly as given.

``httpx`` normalises what it sends (``../`` in paths, header values, non-ASCII targets); an
attacker's client does not. :class:`RawClient` writes the request line, headers and body as given
(``Content-Length`` or ``Transfer-Encoding: chunked``), reads the answer to the end (every request
says ``Connection: close``) and tallies the statuses.

The web pages allow 300 requests a minute per client address; the client moves to the next
loopback address (``127.0.0.0/8`` is all loopback on Linux) every :data:`PER_ADDRESS` requests, so
the fuzz reaches the handlers instead of the limit.
"""

from __future__ import annotations

import socket
from collections import Counter
from dataclasses import dataclass, field

PER_ADDRESS = 200
TIMEOUT = 60.0


@dataclass
class Answer:
    """A response: status, headers (lower-case names; the last value of a repeated one), body."""

    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def media_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip()

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def _dechunk(body: bytes) -> bytes:
    out, rest = [], body
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";", 1)[0] or b"0", 16)
        if size == 0:
            break
        out.append(rest[:size])
        rest = rest[size + 2 :]
    return b"".join(out)


def parse_answer(data: bytes) -> Answer:
    """The response in ``data`` (everything the server sent before closing)."""
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = _dechunk(body)
    return Answer(status, headers, body)


@dataclass
class RawClient:
    """Requests to ``127.0.0.1:port`` as raw bytes (see the module docstring)."""

    port: int
    sent: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    paths: set[str] = field(default_factory=set)

    def source(self) -> str:
        """This request's loopback source address (127.0.1.1, 127.0.1.2, …)."""
        n = self.sent // PER_ADDRESS
        return f"127.0.{1 + n // 250}.{1 + n % 250}"

    def request(
        self,
        method: str,
        target: bytes,
        headers: list[tuple[bytes, bytes]] | None = None,
        body: bytes | None = None,
        *,
        chunked: bool = False,
    ) -> Answer:
        """Send one request (``target``: path and query as raw bytes); the answer."""
        lines = [method.encode() + b" " + target + b" HTTP/1.1", b"Host: 127.0.0.1"]
        lines.append(b"Connection: close")
        lines += [name + b": " + value for name, value in headers or []]
        if body is not None and chunked:
            lines.append(b"Transfer-Encoding: chunked")
            payload = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body) if body else b"0\r\n\r\n"
        elif body is not None:
            lines.append(b"Content-Length: %d" % len(body))
            payload = body
        else:
            payload = b""
        raw = b"\r\n".join(lines) + b"\r\n\r\n" + payload
        with socket.create_connection(
            ("127.0.0.1", self.port), timeout=TIMEOUT, source_address=(self.source(), 0)
        ) as sock:
            sock.sendall(raw)
            data = _read_all(sock)
        self.sent += 1
        answer = parse_answer(data)
        self.statuses[answer.status] += 1
        return answer


def _read_all(sock: socket.socket) -> bytes:
    chunks = []
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)
