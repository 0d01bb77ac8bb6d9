"""Applying corrections: chat.update for every recorded message the desk has overtaken.

``newsbot corrections`` and a serving process that loads a changed desk both call
:func:`apply_corrections`. What to change is decided by the pure engine
(bot.replies.corrections); this module only talks to Slack and the record:

- A 429 is waited out as long as Slack's Retry-After says (the client's retry handler); if
  Slack is still limiting after that, the run stops and leaves the rest for the next one.
- A message Slack will never let us edit (deleted, channel gone, edit window closed, or
  shared through a response_url, which gives no ts) is marked and listed, never retried.
- A fault on Slack's side is retried by later runs, up to ``MAX_FAILURES`` times.
- An edit is recorded only after Slack accepted it, so a second run changes nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, TextIO

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.desk.model import Desk, FollowUpBook, followup_states
from bot.replies.corrections import Correction, corrections, stale_versions
from bot.replies.people import people_in_states
from bot.schedule.sweep import describe_error
from bot.slack.people import names_for
from bot.store.said import SaidStore

log = logging.getLogger(__name__)

MAX_FAILURES = 5
# chat.update errors that mean this message can never be edited by us (Slack's reference).
NEVER_EDITABLE = frozenset(
    {
        "message_not_found",
        "cant_update_message",
        "channel_not_found",
        "edit_window_closed",
        "is_archived",
        "is_inactive",
        "not_in_channel",
        "msg_too_long",
        "invalid_blocks",
        "no_permission",
        "restricted_action",
        "external_channel_migrating",
    }
)
# Errors about our token or app, not the message: stop and tell the operator.
NOT_OURS = frozenset(
    {"not_authed", "invalid_auth", "account_inactive", "token_revoked", "missing_scope"}
)
NO_TS = (
    "shared through a response_url (the bot is not in that channel), so Slack gives no ts to edit"
)

APP_SETUP_HINT = "check SLACK_BOT_TOKEN and the app's scopes"

Result = Literal["corrected", "would correct", "cannot edit", "failed", "left"]


@dataclass(frozen=True, slots=True)
class Attempt:
    correction: Correction
    result: Result
    detail: str = ""

    def line(self) -> str:
        said = self.correction.message
        where = f"{said.channel} {said.ts or '(no ts)'} ({said.purpose})"
        detail = f" [{self.detail}]" if self.detail else ""
        return f"{self.result}: {where}: {self.correction.summary()}{detail}"


@dataclass
class CorrectionsReport:
    attempts: list[Attempt] = field(default_factory=list)
    stopped: str = ""  # why the run stopped early, if it did
    token_refused: bool = False  # Slack refused our token or scopes: the operator must act

    def count(self, result: Result) -> int:
        return sum(1 for a in self.attempts if a.result == result)

    @property
    def changed(self) -> int:
        return self.count("corrected")

    def summary(self) -> str:
        if not self.attempts:
            return "nothing to correct: every recorded message matches the desk"
        counts = ", ".join(
            f"{self.count(r)} {r}"
            for r in ("corrected", "would correct", "cannot edit", "failed", "left")
            if self.count(r)
        )
        return counts + (f"; stopped: {self.stopped}" if self.stopped else "")


def pending(
    desk: Desk,
    said: SaidStore,
    book: FollowUpBook | None,
    now: datetime,
    client: WebClient | None = None,
) -> list[Correction]:
    """The corrections the record needs against ``desk`` at ``now`` (nothing is sent;
    ``client`` only looks up the names of people on redrawn follow-up cards)."""
    stale = stale_versions(said.versions(), desk)
    if not stale:
        return []
    states = {}
    names: tuple[tuple[str, str], ...] = ()
    changed = {item_id for kind, item_id, _ in stale if kind == "followup"}
    if book is not None and changed:
        states = {s.item.id: s for s in followup_states(desk, book, now)}
        if client is not None:
            shown = [s for i, s in states.items() if i in changed]
            names = names_for(client, people_in_states(shown))
    return corrections(said.citing(stale), desk, desk.today(now), states, names)


def apply_corrections(
    desk: Desk,
    said: SaidStore,
    book: FollowUpBook | None,
    client: WebClient | None,
    now: datetime,
    *,
    clock: Callable[[], datetime] | None = None,
) -> CorrectionsReport:
    """Edit every message that needs it; ``client=None`` lists them only (a dry run)."""
    report = CorrectionsReport()
    todo = pending(desk, said, book, now, client)
    for position, correction in enumerate(todo):
        if client is None:
            report.attempts.append(Attempt(correction, "would correct"))
            continue
        attempt = _apply(client, said, correction, clock() if clock else now)
        report.attempts.append(attempt)
        if attempt.result == "left":
            report.stopped = attempt.detail
            report.token_refused = APP_SETUP_HINT in attempt.detail
            report.attempts.extend(Attempt(c, "left", attempt.detail) for c in todo[position + 1 :])
            break
    return report


def _apply(client: WebClient, said: SaidStore, correction: Correction, now: datetime) -> Attempt:
    message = correction.message
    if not message.editable or message.ts is None:
        said.mark_failed(message, error=NO_TS, now=now, give_up=True)
        return Attempt(correction, "cannot edit", NO_TS)
    try:
        client.chat_update(
            channel=message.channel,
            ts=message.ts,
            text=correction.text,
            blocks=correction.blocks,
            parse="none",  # chat.update's default is "client", unlike chat.postMessage's
        )
    except SlackApiError as exc:
        return _refused(said, correction, exc, now)
    except (SlackClientError, OSError) as exc:
        return _failed(said, correction, describe_error(exc), now)
    if not said.mark_corrected(
        message, blocks=correction.blocks, text=correction.text, items=correction.items, now=now
    ):
        log.info("message %s %s was corrected by another process too", message.channel, message.ts)
    return Attempt(correction, "corrected")


def _refused(said: SaidStore, correction: Correction, exc: SlackApiError, now: datetime) -> Attempt:
    error = str(exc.response.get("error") or "")
    reason = describe_error(exc)
    if error == "ratelimited" or getattr(exc.response, "status_code", 200) == 429:
        return Attempt(correction, "left", "Slack is rate limiting chat.update; run again later")
    if error in NOT_OURS:
        return Attempt(correction, "left", f"{reason}: {APP_SETUP_HINT}")
    if error in NEVER_EDITABLE:
        said.mark_failed(correction.message, error=reason, now=now, give_up=True)
        return Attempt(correction, "cannot edit", f"{reason}; not retried")
    return _failed(said, correction, reason, now)


def _failed(said: SaidStore, correction: Correction, reason: str, now: datetime) -> Attempt:
    message = correction.message
    failures = message.failures + 1
    give_up = failures >= MAX_FAILURES
    said.mark_failed(message, error=reason, now=now, give_up=give_up)
    if give_up:
        return Attempt(correction, "cannot edit", f"{reason}; gave up after {failures} tries")
    return Attempt(correction, "failed", f"{reason}; will retry")


def print_report(report: CorrectionsReport, out: TextIO) -> None:
    for attempt in report.attempts:
        print(attempt.line(), file=out)
    print(report.summary(), file=out)


def correct_in_background(
    desk: Desk,
    said: SaidStore,
    book: FollowUpBook | None,
    client: WebClient,
    clock: Callable[[], datetime],
) -> threading.Thread:
    """Apply corrections for a desk just loaded, without holding up the process's start.

    Each process that loads the desk runs this; processes that race edit a message with the
    same blocks and record it once (see SaidStore.mark_corrected).
    """

    def run() -> None:
        try:
            report = apply_corrections(desk, said, book, client, clock(), clock=clock)
        except Exception:  # a database or Slack outage must not take the process down
            log.exception(
                "corrections after loading the desk failed; `newsbot corrections` retries"
            )
            return
        log_report(report)

    thread = threading.Thread(target=run, name="newsbot-corrections", daemon=True)
    thread.start()
    return thread


def log_report(report: CorrectionsReport) -> None:
    for attempt in report.attempts:
        level = logging.INFO if attempt.result == "corrected" else logging.WARNING
        log.log(level, "correction %s", attempt.line())
    if report.attempts:
        log.info("corrections: %s", report.summary())
