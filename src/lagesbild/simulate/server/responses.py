"""An HTTP response as :class:`~lagesbild.simulate.server.app.SimApp` produces it, and its bytes on the wire."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

__all__ = ["Response", "json_response", "text_response"]


@dataclass(slots=True)
class Response:
    """An HTTP response as the app produces it; :meth:`encode` gives the bytes on the wire.

    Attributes:
        status: the HTTP status code.
        body: the body bytes.
        content_type: the ``Content-Type`` header.
        headers: extra headers (``Retry-After``, ``Location``, ``Allow``).
        delay: seconds the server waits before sending (slow-response fault).
    """

    status: int
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> Any:
        return orjson.loads(self.body)

    def encode(self, *, keep_alive: bool = True, head: bool = False) -> bytes:
        """The response as HTTP/1.1 bytes (without the body for ``HEAD``)."""
        lines = [
            f"HTTP/1.1 {self.status} {_REASONS.get(self.status, 'Unknown')}",
            f"Content-Type: {self.content_type}",
            f"Content-Length: {len(self.body)}",
            "Server: lagesbild-sim",
            "Connection: keep-alive" if keep_alive else "Connection: close",
        ]
        lines += [f"{k}: {v}" for k, v in self.headers.items()]
        head_bytes = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        return head_bytes if head else head_bytes + self.body


_REASONS = {
    200: "OK",
    301: "Moved Permanently",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    411: "Length Required",
    413: "Content Too Large",
    429: "Too Many Requests",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    501: "Not Implemented",
}


def json_response(data: Any, status: int = 200) -> Response:
    return Response(status, orjson.dumps(data), "application/json")


def text_response(text: str, status: int = 200) -> Response:
    return Response(status, text.encode("utf-8"), "text/plain; charset=utf-8")
