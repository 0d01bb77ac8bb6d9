"""``newsbot verify FILE [--json]``: a story file checked against the desk, for a person or CI.

Prints ``FILE:LINE:COL: ok|mismatch|unverified: ...`` a finding and the totals; exits 0
when nothing is wrong, 1 when something is (a mismatch), 2 when the check cannot run (no
such file, not text, a broken facts file, a bad ``--today``). It reads the desk and the
curated follow-ups only, never the database, so it runs the same anywhere.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TextIO

from bot.config import Settings
from bot.desk.model import Desk


def read_draft(path: str) -> str | None:
    """The draft's text, or None after saying on stderr why it cannot be read."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        problem = "no such file"
    except IsADirectoryError:
        problem = "is a directory; give a story file"
    except UnicodeDecodeError:
        problem = "is not UTF-8 text; save it as plain text (UTF-8) and try again"
    except OSError as error:
        problem = error.strerror or type(error).__name__
    print(f"newsbot: cannot read {path}: {problem}", file=sys.stderr)
    return None


def parse_today(text: str | None, timezone_today: date) -> date | None:
    if not text:
        return timezone_today
    try:
        return date.fromisoformat(text)
    except ValueError:
        print(f"newsbot: --today {text!r}: use YYYY-MM-DD, e.g. 2021-01-14", file=sys.stderr)
        return None


def run_verify(
    settings: Settings,
    path: str,
    as_json: bool,
    today_text: str | None,
    out: TextIO,
    load_or_report: Callable[[str, TextIO], Desk | None],
) -> int:
    """``load_or_report`` is the CLI's: the desk, or None after printing its problems."""
    from bot.desk.verify import check_draft
    from bot.replies.draft_check import report_json, verify_lines

    text = read_draft(path)
    if text is None:
        return 2
    desk = load_or_report(settings.facts_file, sys.stderr)
    if desk is None:
        return 2
    today = parse_today(today_text, desk.today(datetime.now(UTC)))
    if today is None:
        return 2
    report = check_draft(desk, text, today)
    if as_json:
        json.dump(report_json(report, path), out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        out.write("\n".join(verify_lines(report, path)) + "\n")
    return 1 if report.has_problems else 0
