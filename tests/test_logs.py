"""Logs: JSON lines with extra fields, and secrets masked whoever logs them."""

from __future__ import annotations

import io
import json
import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.logs import (
    _QUERY_PASSWORD,
    _SECRET,
    _URL_PASSWORD,
    configure,
    flush_logs,
    scrub,
    shutdown_logging,
)


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    # Bolt gives the logger named after the app ("newsbot") its base logger's level
    # (WARNING) when an app is built, so an earlier test that built one would hide these
    # tests' INFO lines: start each test from an unset level, as a fresh process has.
    app_logger = logging.getLogger("newsbot")
    app_level = app_logger.level
    app_logger.setLevel(logging.NOTSET)
    yield
    app_logger.setLevel(app_level)
    shutdown_logging()
    root.handlers[:] = handlers
    root.setLevel(level)


def test_json_lines_carry_extra_fields_and_mask_secrets() -> None:
    out = io.StringIO()
    configure("INFO", "json", secrets=("sekrit-signing",), stream=out)
    log = logging.getLogger("newsbot.test")
    log.info("command answered", extra={"command": "/facts", "latency_ms": 1.5})
    log.warning("token xoxb-123-456-abc and sekrit-signing and postgresql://u:pw@h/d leaked")
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert first["msg"] == "command answered"
    assert first["command"] == "/facts" and first["latency_ms"] == 1.5
    assert first["level"] == "info"
    assert "xoxb-123" not in second["msg"] and "sekrit-signing" not in second["msg"]
    assert "pw@" not in second["msg"]


def test_text_format_is_one_readable_line() -> None:
    out = io.StringIO()
    configure("INFO", "text", stream=out)
    logging.getLogger("newsbot").info("started", extra={"mode": "http"})
    line = out.getvalue().strip()
    assert "INFO newsbot: started mode=http" in line


def test_written_in_the_background_lines_are_whole_masked_and_as_logged() -> None:
    out = io.StringIO()
    configure("INFO", "json", secrets=("sekrit-signing",), stream=out, background=True)
    log = logging.getLogger("newsbot.test")
    queries = ["first"]
    log.info("queries %s", queries, extra={"n": 1})
    queries.append("added after the call")
    try:
        raise RuntimeError("boom xoxb-123-456-abc")
    except RuntimeError:
        log.exception("failed with sekrit-signing")
    flush_logs()
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert first["msg"] == "queries ['first']" and first["n"] == 1
    assert second["msg"] == "failed with [redacted]"
    assert "RuntimeError: boom [redacted]" in second["exc"]


def test_after_shutdown_records_are_still_written_at_once() -> None:
    out = io.StringIO()
    configure("INFO", "text", stream=out, background=True)
    logging.getLogger("newsbot").info("queued")
    shutdown_logging()
    assert "queued" in out.getvalue()
    logging.getLogger("newsbot").info("after")
    assert "after" in out.getvalue()


def test_a_forked_worker_writes_its_own_lines(tmp_path: Path) -> None:
    path = tmp_path / "log.txt"
    with path.open("w", encoding="utf-8") as stream:
        configure("INFO", "text", stream=stream, background=True)
        logging.getLogger("newsbot").info("from the parent")
        pid = os.fork()
        if pid == 0:  # the child, as a gunicorn worker is
            logging.getLogger("newsbot").info("from the worker")
            shutdown_logging()
            os._exit(0)
        _, status = os.waitpid(pid, 0)
        shutdown_logging()
    assert os.waitstatus_to_exitcode(status) == 0
    lines = path.read_text(encoding="utf-8").splitlines()
    assert sum("from the parent" in line for line in lines) == 1
    assert sum("from the worker" in line for line in lines) == 1


def test_a_query_string_password_is_masked_in_logs() -> None:
    out = io.StringIO()
    configure("INFO", "text", stream=out)
    logging.getLogger("newsbot").warning("cannot use postgresql://u@h/d?password=S3cret&a=1")
    assert "S3cret" not in out.getvalue() and "password=***" in out.getvalue()


def test_a_password_with_an_at_sign_is_masked_whole_in_logs() -> None:
    out = io.StringIO()
    configure("INFO", "text", stream=out)
    logging.getLogger("newsbot").warning("cannot use postgresql://news:p@ss-W0rd@db:5432/news")
    assert "ss-W0rd" not in out.getvalue() and "news:***@db:5432/news" in out.getvalue()


def scrub_everywhere(text: str, secrets: tuple[str, ...]) -> str:
    """Every pattern run on the whole text, as scrub did before it looked first."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    text = _SECRET.sub("[redacted]", text)
    return _QUERY_PASSWORD.sub(r"\1***", _URL_PASSWORD.sub(r"\1:***@", text))


PIECES = ["xoxb-", "xoxp-12-ab", "xapp-1-x", "xox", "://", "u:pw@", "@", ":", "/", " ", "?", "&"]
PIECES += ["password=", "PassWord=", "sslpassword=", "s3cr", "=", "ab", "é"]


@given(st.lists(st.sampled_from(PIECES), max_size=12).map("".join))
@settings(max_examples=500, deadline=None)
def test_scrub_masks_exactly_what_its_patterns_match_everywhere(text: str) -> None:
    """scrub runs a pattern only where its fixed part occurs: the same text comes out."""
    assert scrub(text, ("s3cr",)) == scrub_everywhere(text, ("s3cr",))


@given(st.floats(min_value=0, max_value=4e9, allow_nan=False))
@settings(max_examples=300, deadline=None)
def test_log_times_read_as_loggings_own(created: float) -> None:
    """The time text is formatted once a second and reused: always what logging writes."""
    record = logging.LogRecord("newsbot", logging.INFO, __file__, 1, "x", None, None)
    record.created, record.msecs = created, (created - int(created)) * 1000
    ours = configure_formatter()
    assert ours.formatTime(record) == logging.Formatter().formatTime(record)
    assert ours.formatTime(record) == logging.Formatter().formatTime(record)  # from the cache


def configure_formatter() -> logging.Formatter:
    out = io.StringIO()
    configure("INFO", "text", stream=out)
    formatter = logging.getLogger().handlers[0].formatter
    assert formatter is not None
    return formatter


def test_a_flush_returns_once_every_thread_s_lines_are_written() -> None:
    out = io.StringIO()
    configure("INFO", "text", stream=out, background=True)
    log = logging.getLogger("newsbot.test")

    def write(n: int) -> None:
        for i in range(200):
            log.info("line %s-%s", n, i)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    flush_logs()
    lines = out.getvalue().splitlines()
    assert len(lines) == 800
    assert {line.rsplit(" ", 1)[1] for line in lines} == {
        f"{n}-{i}" for n in range(4) for i in range(200)
    }
