"""The simulated sites over real sockets: :class:`SimServer` puts a :class:`SimApp` behind a small
asyncio HTTP/1.1 server (keep-alive, pipelining, ``Content-Length`` bodies) in a background
thread, on loopback only."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from pathlib import Path
from typing import Any

from lagesbild.simulate.server.app import SimApp
from lagesbild.simulate.server.faults import Faults
from lagesbild.simulate.server.responses import text_response

__all__ = ["SimServer"]

log = logging.getLogger(__name__)

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class SimServer:
    """:class:`SimApp` behind a small asyncio HTTP/1.1 server on loopback, in a background thread.

    Use as a context manager (or :meth:`start` / :meth:`stop`); ``port=0`` picks a free port.
    Keyword arguments other than ``host``/``port`` are passed to :class:`SimApp`.

    Attributes:
        app: the :class:`SimApp` (set the day, faults or rate limit directly from tests).
        url: ``http://127.0.0.1:<port>`` once started.
        port: the bound port once started.

    Raises:
        ValueError: for a host other than a loopback address.

    Example::

        with SimServer(out_dir, port=0, faults=Faults(error_rate=0.1)) as server:
            r = httpx.get(server.url + "/robots.txt")
    """

    def __init__(
        self,
        out_dir: Path,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        rate_limit: float | None = None,
        faults: Faults | None = None,
        **app_options: Any,
    ) -> None:
        if host not in _LOOPBACK:
            raise ValueError(f"the simulator serves on loopback only, not {host!r}")
        self.host = host
        self.port = port
        self.app = SimApp(out_dir, rate_limit=rate_limit, faults=faults, **app_options)
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._conns: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def __enter__(self) -> SimServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        """Bind and start serving in a background thread; returns once the port is open."""
        if self._thread is not None:
            raise RuntimeError("the server is already running")
        self._ready.clear()
        self._thread = threading.Thread(target=self._run, name="lagesbild-sim-server", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            self._thread.join()
            self._thread = None
            raise self._error
        log.info("serving %d site(s) at %s", len(self.app.sites), self.url)

    def stop(self, timeout: float = 10.0) -> None:
        """Close the listening socket and every open connection, and join the thread."""
        thread, loop, stop = self._thread, self._loop, self._stop
        if thread is None or loop is None or stop is None:
            return
        with contextlib.suppress(RuntimeError):  # the loop may already be closed
            loop.call_soon_threadsafe(stop.set)
        thread.join(timeout)
        if thread.is_alive():
            raise RuntimeError("the server thread did not stop")
        self._thread = None
        log.info("server at %s stopped", self.url)

    def wait(self) -> None:
        """Block until the server stops (Ctrl-C stops it)."""
        try:
            while self._thread is not None and self._thread.is_alive():
                self._thread.join(0.5)
        except KeyboardInterrupt:
            self.stop()

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # reported to start(); never swallowed
            if not self._ready.is_set():
                self._error = exc
                self._ready.set()
            else:
                log.exception("the simulator server failed")
                raise

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        server = await asyncio.start_server(self._client, self.host, self.port, backlog=1024, limit=65536)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            await self._stop.wait()
        finally:
            server.close()
            for task in list(self._conns):
                task.cancel()
            await asyncio.gather(*self._conns, return_exceptions=True)
            await server.wait_closed()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._conns.add(task)
        peer = writer.get_extra_info("peername")
        client = str(peer[0]) if peer else "?"
        try:
            await self._serve_connection(reader, writer, client)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client went away; nothing to answer
        except asyncio.CancelledError:
            # Only _main cancels connections, at shutdown. Ending the task normally keeps asyncio's
            # stream callback (which calls task.exception()) from logging a spurious traceback.
            pass
        finally:
            self._conns.discard(task)
            writer.close()
            with contextlib.suppress(ConnectionError, asyncio.CancelledError):
                await writer.wait_closed()

    async def _serve_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, client: str) -> None:
        app = self.app
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError as exc:
                if exc.partial.strip():
                    log.debug("incomplete request from %s", client)
                return
            except asyncio.LimitOverrunError:
                writer.write(text_response("Request headers too large\n", 431).encode(keep_alive=False))
                await writer.drain()
                return
            lines = head[:-4].decode("latin-1").split("\r\n")
            parts = lines[0].split(" ")
            if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
                writer.write(text_response("Bad request line\n", 400).encode(keep_alive=False))
                await writer.drain()
                return
            method, target, version = parts
            headers: dict[str, str] = {}
            for line in lines[1:]:
                k, _, v = line.partition(":")
                headers[k.strip().lower()] = v.strip()
            conn = headers.get("connection", "").lower()
            keep_alive = conn != "close" if version == "HTTP/1.1" else conn == "keep-alive"
            if "transfer-encoding" in headers:
                writer.write(text_response("Chunked request bodies are not supported\n", 411).encode(keep_alive=False))
                await writer.drain()
                return
            body = b""
            if "content-length" in headers:
                try:
                    n = int(headers["content-length"])
                except ValueError:
                    n = -1
                if not 0 <= n <= 1_000_000:
                    writer.write(text_response("Bad Content-Length\n", 413).encode(keep_alive=False))
                    await writer.drain()
                    return
                body = await reader.readexactly(n)
            try:
                resp = app.handle(method, target, headers, body, client)
            except Exception:  # a bug or a malformed ad line: log it and answer like a broken site would
                log.exception("error answering %s %s", method, target)
                resp = text_response("Internal server error\n", 500)
            if resp.delay:
                await asyncio.sleep(resp.delay)
            writer.write(resp.encode(keep_alive=keep_alive, head=method == "HEAD"))
            await writer.drain()
            if not keep_alive:
                return
