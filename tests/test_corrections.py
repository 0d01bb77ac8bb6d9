"""`newsbot corrections` against the Slack stand-in: a changed figure reaches every message."""

from __future__ import annotations

import io
import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.desk.load import check_file, load_desk
from bot.schedule.reports import run_post_due
from bot.store.db import Database
from tests.schedule.helpers import MONDAY_9_00_20, retrying_client
from tests.slack_stand_in import Fault, SlackStandIn
from tests.test_cli import ROOT, run

FIGURE_BLOCK = "newsbot:fact:parents-not-located"


@pytest.fixture
def newsroom(tmp_path: Path, slack: SlackStandIn) -> dict[str, str]:
    """A copy of the shipped desk an editor can change, a database and the stand-in."""
    shutil.copy(ROOT / "facts.yaml", tmp_path / "facts.yaml")
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    return {
        "FACTS_FILE": str(tmp_path / "facts.yaml"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'newsbot.db'}",
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_API_URL": slack.api_url,
    }


def change_figure(env: dict[str, str], old: str = "545", new: str = "546") -> None:
    """What an editor does when the outlet corrects a number: the text and the desk."""
    facts = Path(env["FACTS_FILE"])
    seed = facts.parent / "seeds" / "000_8c36c7995ecb0c4b.txt"
    for path in (facts, seed):
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    desk, problems = check_file(str(facts))
    assert desk is not None and problems == []


def two_reminder_posts(env: dict[str, str], slack: SlackStandIn) -> list[str]:
    """Monday's and Tuesday's reminder, posted by the scheduler's own sweep."""
    desk = load_desk(Path(env["FACTS_FILE"]))
    database = Database(env["DATABASE_URL"])
    database.create_schema()
    client = retrying_client(slack.api_url)
    for now in (MONDAY_9_00_20, MONDAY_9_00_20 + timedelta(days=1)):
        out = io.StringIO()
        assert run_post_due(desk, database, client, now, timedelta(hours=6), out) == 0
    database.dispose()
    return [m["ts"] for m in slack.posted_messages()]


def newsroom_dates() -> set[str]:
    """Today in the newsroom's zone as a correction line writes it (either side of midnight)."""
    zone = ZoneInfo("America/New_York")
    now = datetime.now(zone)
    return {f"{d.day} {d:%b %Y}" for d in (now.date(), (now + timedelta(minutes=5)).date())}


def figure_text(message: dict) -> str:  # type: ignore[type-arg]
    (block,) = [b for b in message["blocks"] if b.get("block_id") == FIGURE_BLOCK]
    return str(block["text"]["text"])


def correction_lines(message: dict) -> list[str]:  # type: ignore[type-arg]
    return [
        b["elements"][0]["text"]
        for b in message["blocks"]
        if str(b.get("block_id", "")).startswith(f"{FIGURE_BLOCK}:corrected")
    ]


def test_a_changed_figure_updates_each_recorded_message_once(
    newsroom: dict[str, str], slack: SlackStandIn
) -> None:
    ts = two_reminder_posts(newsroom, slack)
    assert len(ts) == 2 and all("545 parents" in figure_text(m) for m in slack.posted_messages())
    change_figure(newsroom)

    result = run("corrections", env=newsroom)

    assert result.returncode == 0, result.stderr
    updates = slack.calls_to("chat.update")
    assert sorted(c.params["ts"] for c in updates) == sorted(ts)
    for stamp in ts:
        message = slack.message("C0123456789", stamp)
        assert message is not None and "edited" in message
        # With the article's qualifier, and the sentence as the publisher's words (issue 10).
        assert figure_text(message).startswith("*at least 546 parents · Parents not located")
        assert "> At least 546 parents separated" in figure_text(message)
        (line,) = correction_lines(message)
        assert line in {f":pencil2: *Corrected {d}:* value 545 → 546" for d in newsroom_dates()}
    check, *lines = result.stdout.splitlines()
    assert check.endswith(
        "facts.yaml: ok (1 source, 7 quotes, 1 figure, 4 findings, 2 statements, "
        "2 follow-ups, 1 reminder); every quote found verbatim in its source"
    )
    # The follow-up quoting the same sentence is corrected in the same edit.
    assert lines[:2] == [
        f"corrected: C0123456789 {stamp} (reminder): parents-not-located: value 545 → 546; "
        "parents-located-update: quote now reads “At least 546 parents ... could not be located "
        "as of October.”"
        for stamp in ts
    ]
    assert lines[-1] == "2 corrected"

    again = run("corrections", env=newsroom)
    assert again.returncode == 0, again.stderr
    assert len(slack.calls_to("chat.update")) == 2  # nothing new was sent
    assert again.stdout.splitlines()[1:] == [
        "nothing to correct: every recorded message matches the desk"
    ]


def test_dry_run_lists_the_corrections_and_changes_nothing(
    newsroom: dict[str, str], slack: SlackStandIn
) -> None:
    ts = two_reminder_posts(newsroom, slack)
    change_figure(newsroom)
    dry = run("corrections", "--dry-run", env={**newsroom, "SLACK_BOT_TOKEN": ""})
    assert dry.returncode == 0, dry.stderr
    assert [line.split(":")[0] for line in dry.stdout.splitlines()[1:]] == ["would correct"] * 2 + [
        "2 would correct"
    ]
    assert slack.calls_to("chat.update") == []
    assert all("545 parents" in figure_text(slack.message("C0123456789", t) or {}) for t in ts)
    applied = run("corrections", env=newsroom)
    assert applied.stdout.splitlines()[-1] == "2 corrected"


def test_a_message_slack_refuses_to_edit_is_reported_and_not_retried(
    newsroom: dict[str, str], slack: SlackStandIn
) -> None:
    first, second = two_reminder_posts(newsroom, slack)
    change_figure(newsroom)
    slack.fail("chat.update", Fault(body={"ok": False, "error": "message_not_found"}))

    result = run("corrections", env=newsroom)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()[1:]
    assert lines[0].startswith(f"cannot edit: C0123456789 {first} (reminder): parents-not-located")
    assert lines[0].endswith("[Slack answered HTTP 200: message_not_found; not retried]")
    assert lines[1].startswith(f"corrected: C0123456789 {second} (reminder)")
    assert lines[-1] == "1 corrected, 1 cannot edit"

    again = run("corrections", env=newsroom)
    assert again.stdout.splitlines()[-1].startswith("nothing to correct")
    assert len(slack.calls_to("chat.update")) == 2  # the refused message was not tried again
    change_figure(newsroom, "546", "547")  # a later change does not revive it either
    later = run("corrections", env=newsroom)
    assert [c.params["ts"] for c in slack.calls_to("chat.update")][2:] == [second]
    assert later.stdout.splitlines()[-1] == "1 corrected"


def test_a_rate_limit_is_waited_out_as_slack_asks(
    newsroom: dict[str, str], slack: SlackStandIn
) -> None:
    two_reminder_posts(newsroom, slack)
    change_figure(newsroom)
    slack.fail("chat.update", Fault(status=429, retry_after=0))
    result = run("corrections", env=newsroom)
    assert result.stdout.splitlines()[-1] == "2 corrected"
    assert len(slack.calls_to("chat.update")) == 3  # refused once, then both went through


def test_still_rate_limited_stops_the_run_and_leaves_the_rest_for_the_next(
    newsroom: dict[str, str], slack: SlackStandIn
) -> None:
    two_reminder_posts(newsroom, slack)
    change_figure(newsroom)
    slack.fail("chat.update", *[Fault(status=429, retry_after=0)] * 3)  # the client retries twice
    result = run("corrections", env=newsroom)
    assert result.returncode == 0, result.stderr
    assert len(slack.calls_to("chat.update")) == 3  # the first message only: then it stopped
    assert result.stdout.splitlines()[-1] == (
        "2 left; stopped: Slack is rate limiting chat.update; run again later"
    )
    later = run("corrections", env=newsroom)
    assert later.stdout.splitlines()[-1] == "2 corrected"


def test_a_share_through_a_response_url_is_listed_as_impossible_to_edit(
    newsroom: dict[str, str], slack: SlackStandIn
) -> None:
    two_reminder_posts(newsroom, slack)
    database = Database(newsroom["DATABASE_URL"])
    (reminder, _) = database.said().all()
    database.said().record(
        channel="C0PRIVATE",
        ts=None,
        via="response_url",
        purpose="share",
        text=reminder.text,
        blocks=reminder.blocks,
        items=reminder.items,
        now=datetime.now(UTC),
    )
    database.dispose()
    change_figure(newsroom)
    result = run("corrections", env=newsroom)
    assert (
        "cannot edit: C0PRIVATE (no ts) (share): parents-not-located: value 545 → 546"
        in result.stdout
    )
    assert (
        "[shared through a response_url (the bot is not in that channel), "
        "so Slack gives no ts to edit]" in result.stdout
    )
    assert result.stdout.splitlines()[-1] == "2 corrected, 1 cannot edit"
    assert len(slack.calls_to("chat.update")) == 2


def test_a_serving_process_that_loads_a_changed_desk_corrects_the_messages(
    newsroom: dict[str, str], slack: SlackStandIn
) -> None:
    from bot.config import Settings
    from bot.runtime import start_runtime

    ts = two_reminder_posts(newsroom, slack)
    change_figure(newsroom)
    settings = Settings(
        slack_bot_token="xoxb-test",
        slack_signing_secret="secret",
        slack_api_url=slack.api_url,
        database_url=newsroom["DATABASE_URL"],
        scheduler=False,
    )
    desk = load_desk(Path(newsroom["FACTS_FILE"]))
    for _ in range(2):  # a restart with the same desk changes nothing more
        runtime = start_runtime(settings, desk)
        assert runtime.corrections is not None
        runtime.corrections.join(30)
        assert not runtime.corrections.is_alive()
        runtime.stop()
        assert sorted(c.params["ts"] for c in slack.calls_to("chat.update")) == sorted(ts)
    assert all(
        figure_text(slack.message("C0123456789", t) or {}).startswith("*at least 546 parents")
        for t in ts
    )


def test_without_a_token_it_sends_nothing_and_says_what_to_set(
    newsroom: dict[str, str], slack: SlackStandIn
) -> None:
    untouched = run("corrections", env={**newsroom, "SLACK_BOT_TOKEN": ""})
    assert (untouched.returncode, untouched.stdout.splitlines()[1:]) == (
        0,
        ["nothing to correct: every recorded message matches the desk"],
    )
    two_reminder_posts(newsroom, slack)
    change_figure(newsroom)
    result = run("corrections", env={**newsroom, "SLACK_BOT_TOKEN": ""})
    assert result.returncode == 2
    assert result.stdout.splitlines()[-1] == "2 would correct"
    assert result.stderr.strip().endswith(
        "newsbot: SLACK_BOT_TOKEN is not set: nothing was sent; set it and run again"
    )
    assert slack.calls_to("chat.update") == []


def test_a_corrected_follow_up_names_its_owner_without_mentioning_them(
    tmp_path: Path, slack: SlackStandIn
) -> None:
    from dataclasses import replace

    from slack_sdk import WebClient

    from bot.corrections import apply_corrections
    from bot.desk.model import FollowUpState, Status
    from bot.replies.blocks import render_blocks
    from bot.replies.cited import citations
    from bot.replies.reply import FollowUpCard, Reply
    from bot.store.memory import MemoryBook
    from tests.replies.desks import NOW, followup, make_desk

    item = followup(owner="U0OWNER01")
    desk = make_desk(followups=[item])
    card = FollowUpCard(FollowUpState(item, Status.OPEN, ()), desk.sources["axios"], 3)
    reply = Reply((card,), "Test desk reminder", "in_channel", shareable=False)
    blocks = render_blocks(replace(reply, people=(("U0OWNER01", "Ana Ruiz"),)))
    client = WebClient(token="xoxb-test", base_url=slack.api_url)
    ts = client.chat_postMessage(channel="C0123456789", text="x", blocks=blocks)["ts"]
    database = Database(f"sqlite:///{tmp_path / 'newsbot.db'}")
    database.create_schema()
    database.said().record(
        channel="C0123456789", ts=ts, via="chat.postMessage", purpose="reminder", text="x",
        blocks=blocks, items=citations(blocks, desk), now=NOW,
    )  # fmt: skip
    slack.users["U0OWNER01"] = "Ana Ruiz"
    retitled = make_desk(followups=[replace(item, title="White House response, again")])

    report = apply_corrections(retitled, database.said(), MemoryBook(), client, NOW)

    database.dispose()
    assert [a.result for a in report.attempts] == ["corrected"]
    shown = json.dumps((slack.message("C0123456789", ts) or {})["blocks"], ensure_ascii=False)
    assert "White House response, again" in shown and "owner Ana Ruiz" in shown
    assert "<@" not in shown
