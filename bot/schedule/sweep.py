"""One sweep: post every reminder occurrence that is due and not yet settled in the ledger.

What is exactly-once and what is at-least-once
----------------------------------------------
- **Deciding who posts is exactly-once.** An occurrence is claimed by inserting its ledger row
  under a unique (reminder, occurrence) key. However many processes or threads sweep at the
  same moment, on PostgreSQL or one SQLite file, one insert wins and only its owner posts.
- **Posting to Slack is at-least-once, made as close to once as Slack allows.** Slack has no
  idempotency key for ``chat.postMessage``, so a process that dies after Slack accepted the
  message but before the ledger says "sent", or a request that timed out after Slack got it,
  leaves the outcome unknown. Every post therefore carries message metadata naming the
  reminder and occurrence; any retry (an expired lease or an earlier failure) first reads the
  channel's history for that metadata and, when it finds the message, records it as sent
  instead of posting again. A second post can still happen if that history read itself fails
  (for example without the ``channels:history`` scope), or if a first post is slower than the
  whole lease (five minutes) and lands after another process looked. Both are logged.
- **No blind resend.** The post goes out with a client that waits out a 429 (nothing was
  posted) but does not resend after a timeout, a dropped connection or a 5xx, when Slack may
  have the message: that is recorded as a failure, and the retry looks first.
- **Nothing is silently lost.** Failures are retried on later sweeps with backoff, up to
  ``max_attempts``; an occurrence missed by more than the catch-up window, or superseded by
  a newer run of the same reminder, is recorded as skipped and logged, never posted late in
  a burst.
- **Leases are real time.** Claims inside a long sweep are taken at ``now`` plus the time
  the sweep has run, so a lease never starts out already expired.
"""

from __future__ import annotations

import functools
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Literal

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy.exc import SQLAlchemyError

from bot.desk.model import Desk, FollowUpBook, FollowUpState, Reminder, followup_states
from bot.replies.people import people_in
from bot.replies.reminder import reminder_reply
from bot.replies.reply import Reply
from bot.schedule.due import Occurrence, due_occurrences
from bot.slack.client import without_blind_retries
from bot.slack.people import names_for
from bot.store.ledger import DEFAULT_LEASE, DEFAULT_MAX_ATTEMPTS, Claim, Delivery, Ledger
from bot.store.said import SaidStore

log = logging.getLogger(__name__)

EVENT_TYPE = "newsbot_reminder"
FIRST_RETRY_AFTER = timedelta(minutes=1)
LONGEST_RETRY_AFTER = timedelta(minutes=30)
HISTORY_PAGES = 5
_TOKEN = re.compile(r"xox[a-z]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+")

# "elsewhere": another process holds the claim and is posting it; "waiting": an earlier
# attempt failed and a later sweep retries it (its time has not come yet).
Result = Literal["posted", "found", "skipped", "failed", "elsewhere", "waiting"]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one occurrence in this sweep."""

    reminder_id: str
    occurrence: datetime  # scheduled time, aware UTC
    result: Result  # "found": an earlier attempt had posted it; recorded, not reposted
    late: bool
    channel: str
    detail: str = ""
    ts: str | None = None


@dataclass
class SweepReport:
    outcomes: list[Outcome] = field(default_factory=list)  # what this sweep did
    # Due, but left alone by this sweep and not done: another process holds the claim
    # ("elsewhere"), or an earlier attempt failed ("waiting" for its retry, or "failed" when
    # out of attempts). A cron job must not call such a run a success.
    in_hand: list[Outcome] = field(default_factory=list)

    def _with(self, *results: Result) -> list[Outcome]:
        return [o for o in self.outcomes if o.result in results]

    @property
    def posted(self) -> list[Outcome]:
        return self._with("posted", "found")

    @property
    def skipped(self) -> list[Outcome]:
        return self._with("skipped")

    @property
    def failed(self) -> list[Outcome]:
        return self._with("failed")

    @property
    def unfinished(self) -> list[Outcome]:
        """Failed now, or earlier and not posted since: what a cron job's exit status reports."""
        return self.failed + [o for o in self.in_hand if o.result in ("failed", "waiting")]


@dataclass(frozen=True)
class _Context:
    desk: Desk
    book: FollowUpBook
    ledger: Ledger
    client: WebClient
    now: datetime  # what is due, and what the posts say, is decided at this moment
    owner: str
    lease: timedelta
    max_attempts: int
    catchup: timedelta
    said: SaidStore | None = None
    started: float = field(default_factory=time.monotonic)
    log_outcomes: bool = True

    def clock(self) -> datetime:
        """``now`` plus the time this sweep has taken: claims and leases use it, so that a
        slow sweep (many posts, retries, rate limits) never takes a claim whose lease has
        already run out in real time and lets another process post it too."""
        return self.now + timedelta(seconds=time.monotonic() - self.started)


def sweep(
    desk: Desk,
    book: FollowUpBook,
    ledger: Ledger,
    client: WebClient,
    now: datetime,
    catchup: timedelta,
    owner: str,
    *,
    lease: timedelta = DEFAULT_LEASE,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    should_stop: Callable[[], bool] = lambda: False,
    said: SaidStore | None = None,
    log_outcomes: bool = True,
) -> SweepReport:
    """Post what is due at ``now``; ``should_stop`` is asked between occurrences. Posts are
    kept in ``said`` (the record corrections read), when given.

    ``log_outcomes=False`` when the caller reports each outcome itself (``post-due`` prints
    one line per occurrence): a failed post is then said once, not three times.
    """
    # A timeout, a dropped connection or a 5xx is recorded as a failure: the retry, a minute
    # or more later, looks in the channel first instead of letting slack_sdk resend a
    # message Slack may already have.
    client = without_blind_retries(client)
    ctx = _Context(desk, book, ledger, client, now, owner, lease, max_attempts, catchup, said)
    ctx = replace(ctx, log_outcomes=log_outcomes)
    report = SweepReport()
    for reminder in desk.reminders:
        if not _sweep_reminder(ctx, reminder, report, should_stop):
            break
    return report


def _sweep_reminder(
    ctx: _Context, reminder: Reminder, report: SweepReport, should_stop: Callable[[], bool]
) -> bool:
    """Settle every due occurrence of one reminder; False when told to stop half way."""
    due = due_occurrences(reminder, ctx.now, ctx.catchup)
    if not due:
        return True
    known = ctx.ledger.since(reminder.id, due[0].at)
    newest = _newest_in_window(due)
    # Read once a reminder, and only when something is to be posted.
    states = functools.cache(lambda: followup_states(ctx.desk, ctx.book, ctx.now))
    for occurrence in due:
        if should_stop():
            return False
        row = known.get(occurrence.at)
        outcome, in_hand = _settle(ctx, reminder, occurrence, row, newest, states)
        if outcome is not None:
            (report.in_hand if in_hand else report.outcomes).append(outcome)
    _log_skipped(reminder, [o for o in report.skipped if o.reminder_id == reminder.id])
    return True


def _newest_in_window(due: list[Occurrence]) -> datetime | None:
    """Only the newest run in the window is posted if it was never attempted: after an
    outage a channel gets one late reminder, not one per missed run."""
    in_window = [o.at for o in due if not o.too_old]
    return in_window[-1] if in_window else None


def _settle(
    ctx: _Context,
    reminder: Reminder,
    occurrence: Occurrence,
    row: Delivery | None,
    newest: datetime | None,
    states: Callable[[], list[FollowUpState]],
) -> tuple[Outcome | None, bool]:
    """Post one occurrence, record it as skipped or abandoned, or leave it; True with an
    outcome that is in hand (another process has it, or it waits for a retry), not done."""
    if row is not None and not _needs_work(row, ctx.clock(), ctx.max_attempts):
        in_hand = None if occurrence.too_old else _in_hand(ctx, reminder, occurrence, row)
        return in_hand, True
    if occurrence.too_old or (row is None and occurrence.at != newest):
        outcome = _give_up(ctx, reminder, occurrence, row, superseded=not occurrence.too_old)
    else:
        outcome = _deliver(ctx, reminder, occurrence, states())
    return outcome, outcome is not None and outcome.result == "elsewhere"


def _needs_work(row: Delivery, now: datetime, max_attempts: int) -> bool:
    """A lost claim, or a failure due another try; anything else is settled or in hand."""
    if row.state == "claimed":
        return row.lease_until is not None and row.lease_until < now
    if row.state == "failed":
        return row.attempts < max_attempts and (row.lease_until is None or row.lease_until <= now)
    return False


def _in_hand(
    ctx: _Context, reminder: Reminder, occurrence: Occurrence, row: Delivery
) -> Outcome | None:
    """An occurrence this sweep leaves alone but must not call done: another process is
    posting it, or it failed and waits for its retry. Sent and skipped ones say nothing."""
    if row.state == "claimed":
        detail = f"another process has it ({row.claimed_by or 'unknown'})"
        return Outcome(
            reminder.id, occurrence.at, "elsewhere", occurrence.late, reminder.channel, detail
        )
    if row.state != "failed":
        return None
    error = row.last_error or "unknown error"
    if row.attempts >= ctx.max_attempts or row.lease_until is None:
        detail = f"gave up after {row.attempts} attempt(s): {error}"
        return Outcome(
            reminder.id, occurrence.at, "failed", occurrence.late, reminder.channel, detail
        )
    when = row.lease_until.strftime("%H:%M UTC")
    detail = f"attempt {row.attempts} failed ({error}); the next sweep after {when} retries"
    return Outcome(reminder.id, occurrence.at, "waiting", occurrence.late, reminder.channel, detail)


def _give_up(
    ctx: _Context,
    reminder: Reminder,
    occurrence: Occurrence,
    row: Delivery | None,
    *,
    superseded: bool,
) -> Outcome | None:
    missed_by = _hours(ctx.now - occurrence.at)
    window = _hours(ctx.catchup)
    if row is None:
        if superseded:
            reason = f"missed by {missed_by}; a later run of this reminder is posted instead"
        else:
            reason = f"missed by {missed_by}, beyond the catch-up window of {window}"
        now = ctx.clock()
        if not ctx.ledger.record_skipped(reminder.id, occurrence.at, reason=reason, now=now):
            return None
        return Outcome(reminder.id, occurrence.at, "skipped", True, reminder.channel, reason)
    if row.state != "claimed":
        return None  # a failure out of its window simply stays failed
    reason = "a process stopped while delivering it and the catch-up window has passed"
    now = ctx.clock()
    if not ctx.ledger.abandon_lost_claim(reminder.id, occurrence.at, reason=reason, now=now):
        return None
    log.error(
        "reminder %s at %s abandoned: %s; check the channel", reminder.id, occurrence.at, reason
    )
    return Outcome(reminder.id, occurrence.at, "failed", True, reminder.channel, reason)


def _deliver(
    ctx: _Context, reminder: Reminder, occurrence: Occurrence, states: list[FollowUpState]
) -> Outcome | None:
    claim = ctx.ledger.claim(
        reminder.id,
        occurrence.at,
        owner=ctx.owner,
        now=ctx.clock(),
        channel=reminder.channel,
        late=occurrence.late,
        lease=ctx.lease,
        max_attempts=ctx.max_attempts,
    )
    if claim is None:  # another process won the race, or it settled since we looked
        detail = "another process claimed it first and is posting it"
        return Outcome(
            reminder.id, occurrence.at, "elsewhere", occurrence.late, reminder.channel, detail
        )
    outcome = _post_claimed(ctx, reminder, occurrence, states, claim)
    if ctx.log_outcomes:
        _log_outcome(outcome)
    return outcome


def _post_claimed(
    ctx: _Context,
    reminder: Reminder,
    occurrence: Occurrence,
    states: list[FollowUpState],
    claim: Claim,
) -> Outcome:
    def outcome(result: Result, detail: str = "", ts: str | None = None) -> Outcome:
        return Outcome(
            reminder.id, occurrence.at, result, occurrence.late, reminder.channel, detail, ts
        )

    reply = reminder_reply(ctx.desk, reminder, states, ctx.now, occurrence.at)
    if reply is not None:  # a channel post names people; it does not notify them
        reply = replace(reply, people=names_for(ctx.client, people_in(reply)))
    if claim.retry:
        earlier = find_posted(ctx.client, reminder.channel, reminder.id, occurrence.at)
        if earlier is not None:
            _settle_sent(ctx, claim, earlier, reminder.channel)
            _record(ctx, reminder.channel, earlier, reply, states)
            return outcome("found", "an earlier attempt had posted it", earlier)
    if reply is None:
        ctx.ledger.mark_skipped(claim, reason="nothing to say", now=ctx.clock())
        return outcome("skipped", "nothing to say: no figures and no open follow-ups")
    try:
        ts = post_reminder(ctx.client, reminder, occurrence.at, reply)
    except (SlackApiError, SlackClientError, OSError) as exc:
        error = describe_error(exc)
        now = ctx.clock()
        ctx.ledger.mark_failed(claim, error=error, now=now, retry_at=now + _backoff(claim.attempt))
        attempts_left = ctx.max_attempts - claim.attempt
        detail = f"{error} (attempt {claim.attempt}; {attempts_left} left)"
        return outcome("failed", detail)
    _settle_sent(ctx, claim, ts, reminder.channel)
    if ts is not None:
        _record(ctx, reminder.channel, ts, reply, states)
    return outcome("posted", "" if ts else "Slack accepted it but returned no message ts", ts)


def _record(
    ctx: _Context, channel: str, ts: str, reply: Reply | None, states: list[FollowUpState]
) -> None:
    """Keep what the post says, for corrections; a failure here never undoes the post."""
    if ctx.said is None or reply is None:
        return
    from bot.replies.blocks import fallback_text, render_blocks
    from bot.replies.cited import citations

    blocks = render_blocks(reply)
    try:
        ctx.said.record(
            channel=channel,
            ts=ts,
            via="chat.postMessage",
            purpose="reminder",
            text=fallback_text(reply),
            blocks=blocks,
            items=citations(blocks, ctx.desk, [s.item for s in states]),
            now=ctx.clock(),
        )
    except SQLAlchemyError:
        log.warning("could not record reminder post %s in %s for corrections", ts, channel)


def _settle_sent(ctx: _Context, claim: Claim, ts: str | None, channel: str) -> None:
    if not ctx.ledger.mark_sent(claim, ts=ts, channel=channel, now=ctx.clock()):
        log.warning(
            "reminder %s at %s: posted as ts %s after this process's lease ran out; "
            "another process may have posted it too",
            claim.reminder_id,
            claim.occurrence,
            ts,
        )


def metadata_for(reminder_id: str, occurrence: datetime) -> dict[str, Any]:
    """What the post carries so that a retry can recognise it in the channel's history."""
    return {
        "event_type": EVENT_TYPE,
        "event_payload": {"reminder_id": reminder_id, "occurrence": occurrence.isoformat()},
    }


def post_reminder(
    client: WebClient, reminder: Reminder, occurrence: datetime, reply: Reply
) -> str | None:
    """chat.postMessage with blocks, a text fallback and our metadata; returns the ts (None
    if Slack, or something standing in for it, accepted the post without giving one)."""
    from bot.replies.blocks import fallback_text, render_blocks  # a sibling module

    response = client.chat_postMessage(
        channel=reminder.channel,
        text=fallback_text(reply),  # notifications show it: escaped like the blocks
        blocks=render_blocks(reply),
        metadata=metadata_for(reminder.id, occurrence),
        unfurl_links=False,
        unfurl_media=False,
    )
    ts = response.get("ts")
    return ts if isinstance(ts, str) and ts else None


def find_posted(
    client: WebClient, channel: str, reminder_id: str, occurrence: datetime
) -> str | None:
    """The ts of a message we already posted for this occurrence, if the channel has one."""
    wanted = metadata_for(reminder_id, occurrence)
    # Nothing is posted before its scheduled time; a minute of slack covers clock skew.
    oldest = f"{occurrence.timestamp() - 60:.6f}"
    cursor: str | None = None
    try:
        for _ in range(HISTORY_PAGES):
            page = client.conversations_history(
                channel=channel, oldest=oldest, include_all_metadata=True, limit=200, cursor=cursor
            )
            for message in page.get("messages") or []:
                if _same_metadata(message.get("metadata"), wanted):
                    return str(message["ts"])
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if cursor is None:
                return None
    except (SlackApiError, SlackClientError, OSError) as exc:
        log.warning(
            "could not read %s's history to look for an earlier post of %s at %s (%s); "
            "posting again, which may repeat it",
            channel,
            reminder_id,
            occurrence,
            describe_error(exc),
        )
    return None


def _same_metadata(found: object, wanted: dict[str, Any]) -> bool:
    # Compare only what we wrote: Slack may add keys of its own to what it returns.
    if not isinstance(found, dict) or found.get("event_type") != wanted["event_type"]:
        return False
    payload = found.get("event_payload")
    return isinstance(payload, dict) and all(
        payload.get(key) == value for key, value in wanted["event_payload"].items()
    )


def describe_error(exc: BaseException) -> str:
    """A short reason for the ledger and the log, never a token."""
    if isinstance(exc, SlackApiError):
        status = getattr(exc.response, "status_code", None)
        error = exc.response.get("error") if hasattr(exc.response, "get") else None
        text = f"Slack answered HTTP {status}: {error or 'unknown error'}"
    else:
        first_line = (str(exc).strip().splitlines() or [""])[0]
        text = f"{type(exc).__name__}: {first_line}" if first_line else type(exc).__name__
    return _TOKEN.sub("[redacted]", text)[:300]


def _log_skipped(reminder: Reminder, skipped: list[Outcome]) -> None:
    """One line a sweep, however many runs were skipped (a */5 reminder down for a day)."""
    if not skipped:
        return
    first, last = skipped[0], skipped[-1]
    log.warning(
        "reminder %s: %d run(s) from %s to %s not posted (%s)",
        reminder.id,
        len(skipped),
        first.occurrence.isoformat(),
        last.occurrence.isoformat(),
        last.detail,
    )


def _backoff(attempt: int) -> timedelta:
    doubled: timedelta = FIRST_RETRY_AFTER * (2 ** (attempt - 1))
    return min(doubled, LONGEST_RETRY_AFTER)


def _hours(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if minutes else f"{hours}h"


def _log_outcome(outcome: Outcome) -> None:
    level = logging.ERROR if outcome.result == "failed" else logging.INFO
    log.log(
        level,
        "reminder %s at %s: %s%s%s",
        outcome.reminder_id,
        outcome.occurrence.isoformat(),
        outcome.result,
        " (late)" if outcome.late else "",
        f": {outcome.detail}" if outcome.detail else "",
    )
