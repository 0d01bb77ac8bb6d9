"""Logs: JSON lines with extra fields, and secrets masked whoever logs them."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.logs import configure


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
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
