"""One write path: the command, the buttons and the modal refuse and record the same way."""

from __future__ import annotations

from bot.desk.model import Action, Status
from bot.replies.changes import (
    COULD_NOT_SAVE,
    EDITORS_ONLY,
    MAX_NOTE_CHARS,
    Changed,
    Refused,
    apply_change,
)
from bot.replies.modals import NOTE_BLOCK, resolve_modal
from bot.replies.router import Router
from bot.store.memory import MemoryBook
from tests.replies.desks import NOW, BrokenBook, shipped_desk

EDITOR = "U0EDITOR1"
ITEM = "white-house-response"


def router(book: MemoryBook | BrokenBook | None = None) -> Router:
    return Router(shipped_desk(), book or MemoryBook(), editors=frozenset({EDITOR}))


def test_the_modal_allows_exactly_the_note_the_command_accepts() -> None:
    modal = resolve_modal(ITEM, "White House response")
    [note_input] = [b for b in modal["blocks"] if b.get("block_id") == NOTE_BLOCK]
    assert note_input["element"]["max_length"] == MAX_NOTE_CHARS
    context = router()
    too_long = apply_change(context, EDITOR, ITEM, Action.RESOLVED, NOW, note="x" * 2001)
    assert too_long == Refused(f"Keep the note under {MAX_NOTE_CHARS} characters.")
    typed = context.handle("/followups", f"resolve {ITEM} {'x' * 2001}", EDITOR, NOW)
    assert not typed.ok and too_long.message in typed.text
    assert context.book.events() == []
    fits = apply_change(context, EDITOR, ITEM, Action.RESOLVED, NOW, note="x" * MAX_NOTE_CHARS)
    assert isinstance(fits, Changed) and fits.after.status is Status.RESOLVED


def test_a_change_is_refused_for_non_editors_and_when_the_book_is_down() -> None:
    refused = apply_change(router(), "U0OTHER", ITEM, Action.REOPENED, NOW)
    assert refused == Refused(EDITORS_ONLY)
    down = apply_change(router(BrokenBook()), EDITOR, ITEM, Action.SNOOZED, NOW, until=NOW)
    assert down == Refused(COULD_NOT_SAVE)


def test_a_change_that_would_change_nothing_says_so_with_the_state() -> None:
    context = router()
    assert isinstance(apply_change(context, EDITOR, ITEM, Action.RESOLVED, NOW), Changed)
    again = apply_change(context, EDITOR, ITEM.upper(), Action.RESOLVED, NOW)
    assert isinstance(again, Refused) and again.already
    assert again.state is not None and again.state.status is Status.RESOLVED
    assert len(context.book.events()) == 1
