"""Logging: plain text for people, one JSON object a line for platforms, never a secret.

Writing to stderr happens on a background thread (a QueueHandler feeding a QueueListener
that collects records in batches), so a request thread never waits on the stream or on
other threads' writes; formatting and scrubbing happen on that thread too. ``flush_logs``
waits until everything is written, ``shutdown_logging`` (also run at exit) stops the
thread and writes directly from then on.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import queue
import re
import sys
import threading
import time
from datetime import UTC, datetime
from logging.handlers import QueueHandler
from typing import Any, TextIO

# Slack tokens and signing secrets have recognisable shapes; anything that looks like one
# is masked before a record is written, whatever code produced it.
_SECRET = re.compile(r"\b(xox[abposr]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+)")
_URL_PASSWORD = re.compile(r"(://[^:/@\s]*):[^/\s]*@")  # up to the last @: "p@ss" too
_QUERY_PASSWORD = re.compile(r"([?&](?:ssl)?password=)[^&\s]*", re.IGNORECASE)
# Attributes every LogRecord has; anything else was passed with ``extra=`` and is logged.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def scrub(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Mask token-shaped strings, URL passwords and any of ``secrets``.

    Each pattern runs only where its fixed part occurs: a token always starts "xox" or
    "xapp-", a URL password sits between "://" and "@". (The token pattern, run on every
    line, was a fifth of a request log line's cost: issue 17.)
    """
    for secret in secrets:
        if secret and secret in text:
            text = text.replace(secret, "[redacted]")
    if "xox" in text or "xapp-" in text:
        text = _SECRET.sub("[redacted]", text)
    if "://" in text:
        text = _URL_PASSWORD.sub(r"\1:***@", text)
    return _QUERY_PASSWORD.sub(r"\1***", text)


class _Scrubbing(logging.Formatter):
    def __init__(self, secrets: tuple[str, ...], json_lines: bool) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.secrets = secrets
        self.json_lines = json_lines
        self._second: tuple[int, str] = (-1, "")  # the last second formatted, and its text

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        """logging's own time text, the seconds part formatted once a second."""
        if datefmt is not None:
            return super().formatTime(record, datefmt)
        second = int(record.created)
        cached = self._second
        if cached[0] != second:
            stamp = time.strftime(self.default_time_format, self.converter(record.created))
            cached = self._second = (second, stamp)
        return f"{cached[1]},{int(record.msecs):03d}"  # logging's default_msec_format

    def format(self, record: logging.LogRecord) -> str:
        if not self.json_lines:
            line = super().format(record)
            extra = _extras(record)
            if extra:
                line += " " + " ".join(f"{k}={v}" for k, v in extra.items())
            return scrub(line, self.secrets)
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            **_extras(record),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc"] = record.exc_text
        return scrub(json.dumps(entry, default=str, ensure_ascii=False), self.secrets)


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}


# How long the writer thread sleeps when it finds nothing to write.
_POLL_SECONDS = 0.01
_MAX_BATCH = 500  # records written in one go
_STOP = object()  # queued by stop(): the writer writes what came before it, then ends
_Queued = logging.LogRecord | threading.Event | object  # a record, a flush marker, _STOP


class _Writer:
    """The writer thread. It looks for queued records every _POLL_SECONDS instead of being
    woken for each one (a wake-up per record made every request hand the GIL over and back:
    about 100 µs a request, measured), and writes every record queued so far in one write (a
    write per line costs a system call and a GIL hand-over each: issue 17).

    The queue is a SimpleQueue (put and get in C, no lock or condition in Python: ~2 µs a
    record less than queue.Queue with its task accounting); ``flush`` queues an Event that
    is set once everything queued before it is written.
    """

    def __init__(self, records: queue.SimpleQueue[_Queued], target: logging.Handler) -> None:
        self.records = records
        self.target = target
        self.thread = threading.Thread(target=self._run, name="newsbot-log-writer", daemon=True)
        self.thread.start()

    def _next(self) -> _Queued:
        while True:
            try:
                return self.records.get_nowait()
            except queue.Empty:
                time.sleep(_POLL_SECONDS)

    def _run(self) -> None:
        while True:
            batch = [self._next()]
            with contextlib.suppress(queue.Empty):
                while len(batch) < _MAX_BATCH:
                    batch.append(self.records.get_nowait())
            self._write([r for r in batch if isinstance(r, logging.LogRecord)])
            for item in batch:
                if isinstance(item, threading.Event):
                    item.set()
            if any(item is _STOP for item in batch):
                return

    def flush(self) -> None:
        written = threading.Event()
        self.records.put(written)
        while not written.wait(0.1):
            if not self.thread.is_alive():  # it died: nothing will be written, do not hang
                return

    def stop(self) -> None:
        """Write everything queued so far, then end the thread."""
        self.records.put(_STOP)
        self.thread.join()

    def _write(self, records: list[logging.LogRecord]) -> None:
        target = self.target
        if len(records) == 1 or not isinstance(target, logging.StreamHandler):
            for record in records:
                target.handle(record)
            return
        lines = []
        for record in records:
            if target.filter(record):
                try:
                    lines.append(target.format(record) + target.terminator)
                except Exception:  # as StreamHandler.emit does
                    target.handleError(record)
        if not lines:
            return
        with target.lock or contextlib.nullcontext():
            try:
                target.stream.write("".join(lines))
                target.flush()
            except Exception:
                target.handleError(records[-1])


class _Background(QueueHandler):
    """Queues records for a writer thread that formats and writes them with ``target``.

    The message is fixed now (its arguments may change after the call); extras stay on the
    record for the scrubbing formatter. Once stopped, records go straight to ``target``.
    """

    def __init__(self, target: logging.Handler) -> None:
        self.records: queue.SimpleQueue[_Queued] = queue.SimpleQueue()
        super().__init__(self.records)  # put_nowait is all it uses
        self.target = target
        self.live = True
        self.writer = _Writer(self.records, target)

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        # A copy: other handlers (and the writer's filters) must not see each other's edits.
        # Copied as copy.copy does for an object with a __dict__, without its protocol
        # lookups (a tenth of the cost).
        copied = record.__class__.__new__(record.__class__)
        copied.__dict__.update(record.__dict__)
        if copied.args:
            copied.msg, copied.args = copied.getMessage(), None
        elif not isinstance(copied.msg, str):
            copied.msg = str(copied.msg)
        if copied.exc_info and not copied.exc_text:
            copied.exc_text = logging.Formatter().formatException(copied.exc_info)
        copied.exc_info = None  # a traceback keeps every frame alive until it is written
        return copied

    def emit(self, record: logging.LogRecord) -> None:
        # Runs under self.lock, as the switch in stop() does: nothing is queued after the
        # writer's last record.
        if self.live:
            super().emit(record)
        else:
            self.target.handle(record)

    def flush(self) -> None:
        if self.live:
            self.writer.flush()
        self.target.flush()

    def stop(self) -> None:
        with self.lock or contextlib.nullcontext():
            self.live = False
        self.writer.stop()  # writes everything queued before returning

    def restart_in_child(self) -> None:
        # The parent's thread did not survive the fork, and records queued before it are
        # the parent's to write: a fresh queue and thread.
        self.records = queue.SimpleQueue()
        self.queue = self.records
        self.writer = _Writer(self.records, self.target)


_active: _Background | None = None
_held_over_fork: logging.Handler | None = None


def configure(
    level: str = "INFO",
    fmt: str = "text",
    secrets: tuple[str | None, ...] = (),
    stream: TextIO | None = None,
    background: bool | None = None,
) -> None:
    """Send every logger to ``stream`` (stderr) in the chosen format, secrets masked.

    ``background`` (by default: when writing to stderr) writes on a thread of its own; a
    caller passing its own ``stream`` usually reads it straight away, so it is written
    synchronously unless ``background=True`` (then call ``flush_logs`` before reading).
    """
    global _active
    shutdown_logging()
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(_Scrubbing(tuple(s for s in secrets if s), fmt == "json"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    if stream is None if background is None else background:
        _active = _Background(handler)
        root.addHandler(_active)
    else:
        root.addHandler(handler)
    root.setLevel(level)
    handler.addFilter(_framework_one_liner)
    # Bolt and slack_sdk log request bodies, replies (notes included), response_urls and
    # headers at DEBUG and INFO, whatever LOG_LEVEL says: they stay at WARNING and above.
    # bot.slack.bolt is the logger our Bolt app is given, so it is Bolt's too.
    for noisy in FRAMEWORK_LOGGERS:
        logging.getLogger(noisy).setLevel(max(logging.getLevelName(level), logging.WARNING))


FRAMEWORK_LOGGERS = ("slack_bolt", "slack_sdk", "bot.slack.bolt", "apscheduler", "urllib3")
_FRAMEWORK_PREFIXES = tuple(name + "." for name in FRAMEWORK_LOGGERS)
_FRAMEWORK_LINE = 200


def _framework_one_liner(record: logging.LogRecord) -> bool:
    """A framework's warning keeps its first line only: Bolt follows "Unhandled request"
    with parts of the request and suggested code, which is not log material."""
    if record.name in FRAMEWORK_LOGGERS or record.name.startswith(_FRAMEWORK_PREFIXES):
        message = record.getMessage()
        first = message.split("\n", 1)[0].split(" (", 1)[0][:_FRAMEWORK_LINE]
        if first != message:
            record.msg, record.args = first, None
    return True


def flush_logs() -> None:
    """Return once every record logged so far has been written."""
    background = _active
    if background is not None:
        background.flush()


def shutdown_logging() -> None:
    """Write what is queued and stop the writer thread; later records are written directly.

    Safe to call more than once; servers call it as they stop, and it runs at exit.
    """
    global _active
    background, _active = _active, None
    if background is not None:
        background.stop()


def _before_fork() -> None:
    # A thread writing to stderr at the moment of fork would leave the child's copy of the
    # stream's buffer lock held for ever (CPython gh-84579): fork between writes only.
    global _held_over_fork
    if _active is not None:
        _held_over_fork = _active.target
        _held_over_fork.acquire()


def _after_fork_in_parent() -> None:
    global _held_over_fork
    if _held_over_fork is not None:
        _held_over_fork.release()
        _held_over_fork = None


def _after_fork_in_child() -> None:
    # logging itself has already given every handler a fresh lock in the child.
    global _held_over_fork
    _held_over_fork = None
    if _active is not None:
        _active.restart_in_child()


atexit.register(shutdown_logging)
os.register_at_fork(
    before=_before_fork, after_in_parent=_after_fork_in_parent, after_in_child=_after_fork_in_child
)
