"""A PostgreSQL server that stops answering without closing anything.

Connection errors are easy: the driver raises. A frozen server process (or a stuck disk
under it) is worse: the host's kernel keeps acknowledging bytes and nothing ever comes
back, so keepalives, tcp_user_timeout and statement_timeout never fire. The bot must still
answer a slash command inside Slack's 3 seconds, without live follow-up status.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import make_url

from bot.desk.model import Action, FollowUpEvent, Status
from bot.replies.reply import FollowUpCard, Reply
from bot.replies.router import Router
from bot.store.book import BookUnavailable
from bot.store.db import Database
from tests.replies.desks import shipped_desk
from tests.store.databases import postgres_schema
from tests.store.stall_proxy import StallProxy
from tests.waiting import wait_for

NOW = datetime(2026, 3, 9, 14, 0, tzinfo=UTC)
EDITOR = "U0EDITOR"
SLACK_BUDGET_S = 3.0  # Slack shows the user an error after 3 seconds
DEADLINE_S = 0.5


def statuses(reply: Reply) -> list[Status]:
    return [part.state.status for part in reply.parts if isinstance(part, FollowUpCard)]


def answer_in_thread(router: Router, text: str = "") -> tuple[Reply | None, float]:
    """Ask /followups from another thread, so a hang fails this test instead of hanging it."""
    replies: list[Reply] = []
    started = time.monotonic()
    thread = threading.Thread(
        target=lambda: replies.append(router.handle("/followups", text, EDITOR, NOW)), daemon=True
    )
    thread.start()
    thread.join(timeout=15)
    return (replies[0] if replies else None), time.monotonic() - started


@pytest.mark.postgres
def test_a_frozen_server_costs_a_slash_command_the_read_deadline_then_recovers(
    postgres_url: str,
) -> None:
    with postgres_schema(postgres_url) as url:
        parsed = make_url(url)
        with StallProxy(parsed.host or "127.0.0.1", parsed.port or 5432) as proxy:
            through_proxy = parsed.set(host="127.0.0.1", port=proxy.port)
            database = Database(
                through_proxy.render_as_string(hide_password=False), read_deadline=DEADLINE_S
            )
            database.create_schema()
            book = database.book()
            book.record(FollowUpEvent("white-house-response", Action.RESOLVED, EDITOR, NOW))
            router = Router(shipped_desk(), book)
            live = router.handle("/followups", "all", EDITOR, NOW)
            assert "followup_status" not in live.meta
            assert Status.RESOLVED in statuses(live)

            proxy.freeze()
            reply, seconds = answer_in_thread(router)
            assert reply is not None, "a slash command hung on a frozen database"
            assert seconds < SLACK_BUDGET_S
            assert reply.ok and reply.meta["followup_status"] == "unavailable"
            assert Status.RESOLVED not in statuses(reply)  # shown as open, status unknown
            # While that read is still stuck, the next command does not queue behind it.
            again, _ = answer_in_thread(router)
            assert again is not None and again.meta["followup_status"] == "unavailable"
            with pytest.raises(BookUnavailable):
                book.version()
            # A change asks first, so it says "not saved" in time instead of waiting to write.
            for change in ("add Call the White House", "resolve white-house-response x"):
                refused, seconds = answer_in_thread(router, change)
                assert refused is not None and seconds < SLACK_BUDGET_S
                assert not refused.ok and "Could not save" in str(refused.parts)

            proxy.thaw()  # the stuck read completes; live status returns
            wait_for(
                lambda: Status.RESOLVED in statuses(router.handle("/followups", "all", EDITOR, NOW))
            )
            database.dispose()


def test_sqlite_reads_run_on_the_callers_thread(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """No server to stall, so no thread per read on the default database."""
    database = Database(f"sqlite:///{tmp_path / 'newsbot.db'}")
    database.create_schema()
    seen: list[str] = []
    book = database.book()
    original = book._version
    book._version = lambda: (seen.append(threading.current_thread().name), original())[1]  # type: ignore[method-assign]
    book.version()
    assert seen == [threading.current_thread().name]
    database.dispose()
