"""Logging: plain text for people, one JSON object a line for platforms, never a secret."""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

# Slack tokens and signing secrets have recognisable shapes; anything that looks like one
# is masked before a record is written, whatever code produced it.
_SECRET = re.compile(r"\b(xox[abposr]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+)")
_URL_PASSWORD = re.compile(r"(://[^:/@\s]*):[^@\s]*@")
# Attributes every LogRecord has; anything else was passed with ``extra=`` and is logged.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def scrub(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Mask token-shaped strings, URL passwords and any of ``secrets``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    text = _SECRET.sub("[redacted]", text)
    return _URL_PASSWORD.sub(r"\1:***@", text)


class _Scrubbing(logging.Formatter):
    def __init__(self, secrets: tuple[str, ...], json_lines: bool) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.secrets = secrets
        self.json_lines = json_lines

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
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return scrub(json.dumps(entry, default=str, ensure_ascii=False), self.secrets)


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}


def configure(
    level: str = "INFO",
    fmt: str = "text",
    secrets: tuple[str | None, ...] = (),
    stream: TextIO | None = None,
) -> None:
    """Send every logger to ``stream`` (stderr) in the chosen format, secrets masked."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(_Scrubbing(tuple(s for s in secrets if s), fmt == "json"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # Bolt and slack_sdk log request bodies at DEBUG; keep them quiet unless asked.
    for noisy in ("slack_bolt", "slack_sdk", "apscheduler", "urllib3"):
        logging.getLogger(noisy).setLevel(max(logging.getLevelName(level), logging.WARNING))
