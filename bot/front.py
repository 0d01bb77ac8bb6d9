"""The HTTP front of ``newsbot serve``: a gunicorn worker that reads each request whole on an
event loop, within deadlines, before a thread runs the WSGI app on it.

Why not gunicorn's own gthread worker: it hands a connection to a thread as soon as the first
bytes arrive, and the thread then blocks reading the rest. Eight clients dripping a body (or
ten dripping headers) held all eight threads, and /healthz timed out for as long as they
stayed. Here a slow client costs a coroutine and a few kilobytes, not a thread, and is cut
off when its deadline passes; threads only ever see complete requests. gunicorn still does
what it is good at: the listening socket, forking the workers, restarting one that dies,
and SIGTERM.

HTTP/1.0 and 1.1 with keep-alive and ``Expect: 100-continue``. Bodies need a Content-Length
(Slack always sends one); ``Transfer-Encoding`` is refused with 411, so the length of a
request is never ambiguous (no request smuggling through a proxy in front).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import os
import queue
import re
import socket
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from gunicorn.workers.base import Worker

from bot.worker_share import DEFER_S, WorkerShare

if TYPE_CHECKING:
    from wsgiref.types import WSGIApplication

log = logging.getLogger(__name__)

HEADER_DEADLINE_S = 5.0  # from the first byte of a request (or the connection) to its blank line
BODY_DEADLINE_S = 10.0  # from the end of the headers to the last byte of the body
WRITE_DEADLINE_S = 10.0  # for a client to take the answer
MAX_HEADER_BYTES = 16 * 1024  # request line and headers together
MAX_BODY_BYTES = 1024 * 1024  # the app has its own, lower limit; this one is never read
TICK_S = 0.5  # how often the worker tells gunicorn it is alive and checks for a stop
# Made at import, in gunicorn's master (it imports the worker class before forking), so every
# worker of one server writes to the same page (bot.worker_share).
SHARE = WorkerShare()
_TOKEN = re.compile(rb"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_REQUEST_LINE = re.compile(rb"^([A-Z]+) (\S+) HTTP/(1\.[01])$")
_REASONS = {
    100: "Continue",
    400: "Bad Request",
    408: "Request Timeout",
    411: "Length Required",
    413: "Content Too Large",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    505: "HTTP Version Not Supported",
}


class Refused(Exception):
    """A request answered by the front itself (and the connection closed)."""

    def __init__(self, status: int, why: str) -> None:
        super().__init__(why)
        self.status = status


@dataclass
class Request:
    method: str
    target: str
    version: str
    headers: list[tuple[str, str]]
    body: bytes = b""
    keep_alive: bool = True

    def header(self, name: str) -> str | None:
        values = [v for k, v in self.headers if k == name]
        return ",".join(values) if values else None


@dataclass
class Answer:
    status: str
    headers: list[tuple[str, str]]
    body: bytes


def parse_head(head: bytes) -> Request:
    """The request line and headers (without the final blank line), strictly."""
    lines = head.split(b"\r\n")
    found = _REQUEST_LINE.match(lines[0])
    if found is None:
        if re.match(rb"^[A-Z]+ \S+ HTTP/\d", lines[0]):
            raise Refused(505, "only HTTP/1.0 and HTTP/1.1")
        raise Refused(400, "malformed request line")
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        if not colon or not _TOKEN.match(name):
            raise Refused(400, "malformed header")  # also obsolete line folding
        headers.append((name.decode("ascii").lower(), value.strip(b" \t").decode("latin-1")))
    method, target, version = (part.decode("latin-1") for part in found.groups())
    request = Request(method, target, version, headers)
    connection = (request.header("connection") or "").lower()
    if version == "1.0":
        request.keep_alive = "keep-alive" in connection
    else:
        request.keep_alive = "close" not in connection
    return request


def body_length(request: Request) -> int:
    if request.header("transfer-encoding") is not None:
        raise Refused(411, "send a Content-Length instead of Transfer-Encoding")
    lengths = {v.strip() for k, v in request.headers if k == "content-length"}
    if not lengths:
        return 0
    if len(lengths) > 1 or not all(part.isdigit() for part in lengths):
        raise Refused(400, "bad Content-Length")
    length = int(lengths.pop())
    if length > MAX_BODY_BYTES:
        raise Refused(413, "body too large")
    return length


def wsgi_environ(
    request: Request, server: tuple[str, int], peer: tuple[str, int], multiprocess: bool
) -> dict[str, Any]:
    path, _, query = request.target.partition("?")
    if "://" in path:  # an absolute-form target (RFC 9112 3.2.2)
        path = "/" + path.split("://", 1)[1].partition("/")[2]
    environ: dict[str, Any] = {
        "REQUEST_METHOD": request.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote(path, encoding="latin-1"),
        "QUERY_STRING": query,
        "SERVER_NAME": str(server[0]),
        "SERVER_PORT": str(server[1]),
        "SERVER_PROTOCOL": f"HTTP/{request.version}",
        "REMOTE_ADDR": str(peer[0]),
        "REMOTE_PORT": str(peer[1]),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(request.body),
        "wsgi.input_terminated": True,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": multiprocess,
        "wsgi.run_once": False,
    }
    for name, value in request.headers:
        if "_" in name:  # X_Forwarded_For must not pass for X-Forwarded-For
            continue
        key = name.upper().replace("-", "_")
        if key in {"CONTENT_TYPE", "CONTENT_LENGTH"}:
            environ[key] = value
            continue
        key = "HTTP_" + key
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    environ.setdefault("CONTENT_LENGTH", str(len(request.body)))
    return environ


def call_wsgi(app: WSGIApplication, environ: dict[str, Any]) -> Answer:
    """Run the app on one complete request (on a worker thread); its whole answer."""
    started: list[tuple[str, list[tuple[str, str]]]] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        if exc_info is not None and started:
            raise exc_info[1].with_traceback(exc_info[2])
        started[:] = [(status, list(headers))]
        return lambda _data: None  # the write() callable: our app never uses it

    try:
        result: Iterable[bytes] = app(environ, start_response)
        try:
            body = b"".join(result)
        finally:
            close: Callable[[], object] | None = getattr(result, "close", None)
            if close is not None:
                close()
    except Exception:
        log.exception("the app failed on %s %s", environ["REQUEST_METHOD"], environ["PATH_INFO"])
        return Answer("500 Internal Server Error", [("Content-Type", "text/plain")], b"error\n")
    status, headers = started[0]
    return Answer(status, headers, body)


def encode_answer(answer: Answer, request: Request, keep_alive: bool) -> bytes:
    status = int(answer.status.split(" ", 1)[0])
    bodiless = request.method == "HEAD" or status in {204, 304} or status < 200
    lines = [f"HTTP/1.1 {answer.status}"]
    for name, value in answer.headers:
        if name.lower() not in {"content-length", "connection", "transfer-encoding"}:
            lines.append(f"{name}: {value}")
    if not bodiless or request.method == "HEAD":
        lines.append(f"Content-Length: {len(answer.body)}")
    lines.append("Connection: keep-alive" if keep_alive else "Connection: close")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return head if bodiless else head + answer.body


def refusal(status: int) -> bytes:
    reason = _REASONS.get(status, "Error")
    body = f"{status} {reason}\n".encode()
    head = f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain\r\n"
    head += f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    return head.encode() + body


@dataclass(eq=False)  # kept in a set: each connection is itself
class _Connection:
    # True only while a kept-alive connection waits for its next request's first byte: the one
    # state a stopping worker may end. From accept() to that wait, and from the first byte to
    # the answer handed to the kernel, a connection holds the stop.
    idle: bool = False
    first: bool = True
    task: asyncio.Task[None] | None = field(default=None, repr=False)


async def _read_head(reader: asyncio.StreamReader, first: bytes) -> Request | None:
    """The request line and headers, parsed; None when the client went away."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.LimitOverrunError:
        raise Refused(431, "headers too large") from None
    except asyncio.IncompleteReadError:
        return None
    return parse_head(first + head[:-4])


class _AppThreads:
    """The threads that run the WSGI app on complete requests.

    A request goes in through a queue with the loop's future for its answer; answers come
    back in batches: a thread that finishes wakes the loop only when no wake-up is already
    on its way, and the loop hands out every answer waiting. (``run_in_executor`` costs a
    future of each kind and a wake-up per request: about a tenth of a served request.)
    """

    def __init__(self, app: WSGIApplication, count: int, loop: asyncio.AbstractEventLoop) -> None:
        self._app = app
        self._loop = loop
        self._jobs: queue.SimpleQueue[tuple[asyncio.Future[Answer], dict[str, Any]] | None]
        self._jobs = queue.SimpleQueue()
        self._answers: list[tuple[asyncio.Future[Answer], Answer]] = []
        self._lock = threading.Lock()
        self._threads = [
            threading.Thread(target=self._work, name=f"newsbot-web_{n}", daemon=True)
            for n in range(count)
        ]
        for thread in self._threads:
            thread.start()

    def run(self, environ: dict[str, Any]) -> asyncio.Future[Answer]:
        answer: asyncio.Future[Answer] = self._loop.create_future()
        self._jobs.put((answer, environ))
        return answer

    def stop(self) -> None:
        """Threads finish the request they hold, then end; queued ones are dropped."""
        for _ in self._threads:
            self._jobs.put(None)

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            future, environ = job
            answer = call_wsgi(self._app, environ)
            with self._lock:
                self._answers.append((future, answer))
                wake = len(self._answers) == 1  # the first since the loop last looked
            if wake:
                with contextlib.suppress(RuntimeError):  # the loop has closed: stopping
                    self._loop.call_soon_threadsafe(self._hand_out)

    def _hand_out(self) -> None:
        with self._lock:
            answers, self._answers = self._answers, []
        for future, answer in answers:
            if not future.done():  # cancelled: its connection was dropped
                future.set_result(answer)


class BufferingWorker(Worker):  # type: ignore[misc]
    """gunicorn worker: asyncio reads whole requests, a thread pool runs the WSGI app.

    The worker accepts connections itself, one per wake-up of the shared listening socket, and
    records each in the same step as its accept(): a stopping worker knows of every connection
    it took. During gunicorn's graceful reload a connection accepted by an old worker is
    answered by it; one still in the kernel's queue is left for the new workers. Workers keep
    their shares of connections even (bot.worker_share), so kept-alive connections from a
    proxy use every core.
    """

    # Set by gunicorn's Worker: whether to go on, answers so far, answers before a restart.
    alive: bool
    nr: int
    max_requests: int

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._connections: set[_Connection] = set()
        self._threads: _AppThreads | None = None
        self._listening: list[socket.socket] = []
        self._stopping = False
        self._slot = SHARE.slot_for(self.age)

    def run(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        loop = asyncio.get_running_loop()
        self._threads = _AppThreads(self.wsgi, self.cfg.threads, loop)
        for listener in self.sockets:
            self._listen(getattr(listener, "sock", listener))
        wake = asyncio.Event()
        loop.add_reader(self.PIPE[0], self._drain_wakeups, wake)  # gunicorn's signal pipe
        try:
            while self.alive:
                self.notify()
                self._count()
                if self.ppid != os.getppid():
                    log.info("the gunicorn master is gone; stopping")
                    break
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), TICK_S)
                wake.clear()
        finally:
            loop.remove_reader(self.PIPE[0])
            await self._stop()

    def _listen(self, sock: socket.socket) -> None:
        sock.setblocking(False)
        asyncio.get_running_loop().add_reader(sock.fileno(), self._accept_one, sock)
        self._listening.append(sock)

    def _unlisten(self) -> None:
        loop = asyncio.get_running_loop()
        for sock in self._listening:
            loop.remove_reader(sock.fileno())
        self._listening.clear()

    def _accept_one(self, sock: socket.socket) -> None:
        """The listening socket is readable (the loop calls again while connections wait)."""
        if SHARE.leave_to_another(self._slot, len(self._connections)):
            self._pause(sock, DEFER_S)  # a less busy worker may take it meanwhile
            return
        self._take(sock)

    def _take(self, sock: socket.socket) -> None:
        """Accept one connection, and record it in the same step."""
        try:
            conn, _peer = sock.accept()
        except (BlockingIOError, InterruptedError, ConnectionAbortedError):
            return  # another worker took it, or the client gave up
        except OSError as error:  # out of file descriptors: pause accepting, keep serving
            log.warning("could not accept a connection (%s); pausing accepts for 1 s", error)
            self._pause(sock, 1.0)
            return
        if len(self._connections) >= self.cfg.worker_connections:
            conn.close()
            return
        conn.setblocking(False)
        connection = _Connection()
        self._connections.add(connection)
        self._count()
        connection.task = asyncio.get_running_loop().create_task(self._open(connection, conn))

    def _pause(self, sock: socket.socket, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        loop.remove_reader(sock.fileno())
        self._listening.remove(sock)
        loop.call_later(seconds, self._resume, sock)

    def _resume(self, sock: socket.socket) -> None:
        """After a pause: take what still waits (no other worker took it), listen again."""
        if self._stopping:
            return
        self._take(sock)
        self._listen(sock)

    def _count(self) -> None:
        SHARE.write(self._slot, -1 if self._stopping else len(self._connections))

    def _drain_wakeups(self, wake: asyncio.Event) -> None:
        with contextlib.suppress(OSError):
            os.read(self.PIPE[0], 64)
        wake.set()

    async def _stop(self) -> None:
        """Stop accepting, let every connection taken finish its request (bounded by gunicorn's
        graceful timeout), then end the idle kept-alive ones."""
        self._stopping = True
        self._count()
        self._unlisten()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.cfg.graceful_timeout
        while loop.time() < deadline:
            # One turn of the loop first: a kept-alive connection whose next request has just
            # arrived marks itself busy before it is counted as idle.
            await asyncio.sleep(0)
            if all(c.idle for c in self._connections):
                break
            self.notify()
            await asyncio.sleep(0.01)
        for connection in list(self._connections):
            if connection.task is not None:
                connection.task.cancel()
        if self._threads is not None:
            self._threads.stop()

    async def _open(self, connection: _Connection, conn: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        try:
            reader = asyncio.StreamReader(limit=MAX_HEADER_BYTES + 4)
            protocol = asyncio.StreamReaderProtocol(reader)
            transport, _ = await loop.connect_accepted_socket(lambda: protocol, conn)
        except BaseException:
            self._connections.discard(connection)
            conn.close()
            raise
        writer = asyncio.StreamWriter(transport, protocol, reader, loop)
        try:
            await self._serve_connection(connection, reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), 1.0)
            self._connections.discard(connection)
            self._count()

    async def _serve_connection(
        self, connection: _Connection, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        # A connection accepted while stopping still gets its one answer (with Connection:
        # close): the client chose this worker from the shared socket, and during a graceful
        # reload (bot.live_desk) no other worker will see its request.
        while connection.first or self.alive:
            try:
                request = await self._read_request(connection, reader, writer)
            except Refused as refused:
                await self._send(writer, refusal(refused.status))
                return
            if request is None:
                return
            answer = await self._run_app(writer, request)
            self._served_one()
            keep_alive = request.keep_alive and self.alive and not self._crowded()
            await self._send(writer, encode_answer(answer, request, keep_alive))
            if not keep_alive:
                return

    def _served_one(self) -> None:
        """Count an answer; at gunicorn's max_requests (WEB_MAX_REQUESTS, with jitter) this
        worker finishes what it holds and exits, and the master forks a fresh one: a worker's
        copies of the desk's pages, made as it reads them, grow with its age."""
        self.nr += 1
        if self.nr == self.max_requests and self.alive:
            log.info("worker answered %d requests: restarting it (WEB_MAX_REQUESTS)", self.nr)
            self.alive = False
            self._stopping = True  # new connections wait in the socket for the next worker
            self._unlisten()

    def _crowded(self) -> bool:
        """Another worker holds at least two connections fewer: this one is closed after its
        answer, and the client's next connection goes where there is room."""
        return SHARE.crowded(self._slot, len(self._connections))

    async def _read_request(
        self, connection: _Connection, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> Request | None:
        """A whole request, None when the client closed or idled out between requests."""
        first = await self._first_byte(connection, reader)
        if first is None:
            return None
        connection.first = False
        slow = "headers too slow"
        try:
            # One deadline for the request: HEADER_DEADLINE_S for the head, then moved to
            # BODY_DEADLINE_S from the end of the head for the body.
            async with asyncio.timeout(HEADER_DEADLINE_S) as deadline:
                request = await _read_head(reader, first)
                if request is None:
                    return None
                length = body_length(request)
                if length:
                    slow = "body too slow"
                    deadline.reschedule(asyncio.get_running_loop().time() + BODY_DEADLINE_S)
                    if (request.header("expect") or "").lower() == "100-continue":
                        await self._send(writer, b"HTTP/1.1 100 Continue\r\n\r\n")
                    request.body = await reader.readexactly(length)
        except TimeoutError:
            raise Refused(408, slow) from None
        return request

    async def _first_byte(
        self, connection: _Connection, reader: asyncio.StreamReader
    ) -> bytes | None:
        """b"" on a new connection; on a kept-alive one, the next request's first byte, or
        None when the client closed or stayed idle past keep-alive."""
        if connection.first:
            return b""
        connection.idle = True
        try:
            async with asyncio.timeout(self.cfg.keepalive or 2):
                first = await reader.read(1)
        except TimeoutError:
            return None
        finally:
            connection.idle = False
        return first or None

    async def _run_app(self, writer: asyncio.StreamWriter, request: Request) -> Answer:
        server = writer.get_extra_info("sockname") or ("", 0)
        peer = writer.get_extra_info("peername") or ("", 0)
        if not isinstance(peer, tuple):  # a UNIX socket
            peer = (str(peer), 0)
        environ = wsgi_environ(request, server, peer, self.cfg.workers > 1)
        assert self._threads is not None
        return await self._threads.run(environ)

    async def _send(self, writer: asyncio.StreamWriter, data: bytes) -> None:
        writer.write(data)
        if writer.transport.get_write_buffer_size() == 0:
            return  # the kernel took it all: nothing to wait for
        try:
            async with asyncio.timeout(WRITE_DEADLINE_S):
                await writer.drain()
        except TimeoutError:
            raise ConnectionError("the client did not take the answer") from None
