"""A PostgreSQL server that stops answering without closing anything.

Connection errors are easy: the driver raises. A frozen server process (or a stuck disk
under it) is worse: the host's kernel keeps acknowledging bytes and nothing ever comes
back, so keepalives, tcp_user_timeout and statement_timeout never fire. The bot must still
answer a slash command inside Slack's 3 seconds, without live follow-up status.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import make_url

from bot.desk.model import Action, BookUnavailable, FollowUpEvent, Status
from bot.replies.reply import FollowUpCard, Reply
from bot.replies.router import Router
from bot.store.book import SqlBook
from bot.store.db import Database
from tests.replies.desks import shipped_desk
from tests.store.databases import BACKENDS, empty_database_url, postgres_schema
from tests.store.stall_proxy import StallProxy
from tests.waiting import wait_for

NOW = datetime(2026, 3, 9, 14, 0, tzinfo=UTC)
EDITOR = "U0EDITOR"
SLACK_BUDGET_S = 3.0  # Slack shows the user an error after 3 seconds
DEADLINE_S = 1.0


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
            database = Database(
                parsed.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
            )
            try:
                frozen_then_thawed(database, proxy)
            finally:
                database.dispose()


def frozen_then_thawed(database: Database, proxy: StallProxy) -> None:
    database.create_schema()
    book = database.book(answer_within=DEADLINE_S)
    book.record(FollowUpEvent("white-house-response", Action.RESOLVED, EDITOR, NOW))
    router = Router(shipped_desk(), book, editors=frozenset({EDITOR}))  # unset: nobody edits
    # Live first (a first connection through the proxy on a busy machine may be slow).
    wait_for(lambda: Status.RESOLVED in statuses(router.handle("/followups", "all", EDITOR, NOW)))

    # What a live answer costs on this machine at this moment (other jobs share the cores).
    live = answer_in_thread(router)[1]

    proxy.freeze()
    reply, seconds = answer_in_thread(router)
    assert reply is not None, "a slash command hung on a frozen database"
    assert reply.ok and reply.meta["followup_status"] == "unavailable"
    assert Status.RESOLVED not in statuses(reply)  # shown as open, status unknown
    # While that read is still stuck, the next command does not queue behind it.
    again, _ = answer_in_thread(router)
    assert again is not None and again.meta["followup_status"] == "unavailable"
    with pytest.raises(BookUnavailable):
        book.version()
    # A change asks first, so it says "not saved" in time instead of waiting to write.
    refusals = []
    for change in ("add Call the White House", "resolve white-house-response x"):
        refused, refused_in = answer_in_thread(router, change)
        assert refused is not None
        assert not refused.ok and "Could not save" in str(refused.parts)
        refusals.append(refused_in)

    proxy.thaw()  # the stuck read completes; live status returns
    wait_for(lambda: Status.RESOLVED in statuses(router.handle("/followups", "all", EDITOR, NOW)))
    live = max(live, answer_in_thread(router)[1])
    # The frozen database may cost an answer no more than Slack's 3 s over a live answer
    # measured before and after it: on an idle machine a live answer takes milliseconds, so
    # this is Slack's budget itself; on a loaded one, the load is not counted against the
    # bot. Without the read deadline the driver would wait for tcp_user_timeout (5 s) or
    # forever, far past either bound.
    assert seconds < live + SLACK_BUDGET_S, (seconds, live)
    assert max(refusals) < live + SLACK_BUDGET_S, (refusals, live)


@pytest.mark.parametrize("backend", BACKENDS)
def test_reminders_and_sqlite_read_on_the_callers_thread(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Only a person waits on a deadline: the reminders' book (no ``answer_within``) and any
    SQLite book read in the caller's thread, so a slow database delays a post, never fails it."""
    with empty_database_url(backend, request, tmp_path) as url:
        database = Database(url)
        database.create_schema()
        books = [database.book()]
        if backend == "sqlite":
            books.append(database.book(answer_within=DEADLINE_S))
        for book in books:
            assert read_threads(book) == [threading.current_thread().name]
        database.dispose()


def read_threads(book: SqlBook) -> list[str]:
    """The names of the threads a ``version()`` read ran on."""
    seen: list[str] = []
    original = book._version
    book._version = lambda: (seen.append(threading.current_thread().name), original())[1]  # type: ignore[method-assign]
    book.version()
    return seen


def test_a_late_answer_is_logged_and_reads_answer_again_after_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A read held up (here by the test, not by time) past the deadline: the caller gets
    BookUnavailable, later callers too while it is stuck, and when it finally answers the
    log says how long it took; the next read is live."""
    database = Database(f"sqlite:///{tmp_path / 'newsbot.db'}")
    database.create_schema()
    book = SqlBook(database.engine, read_deadline=0.2)
    release = threading.Event()
    original = book._version

    def held_up() -> tuple[int, ...]:
        release.wait(timeout=10)
        return original()

    book._version = held_up  # type: ignore[method-assign]
    with pytest.raises(BookUnavailable):
        book.version()
    with pytest.raises(BookUnavailable, match="earlier read"):
        book.version()  # does not start a second read behind the stuck one
    with caplog.at_level(logging.WARNING, logger="bot.store.book"):
        release.set()
        wait_for(lambda: "past the 0.2s deadline" in caplog.text)
    assert book.version() == original()
    database.dispose()
