"""NEWSBOT_EDITORS and NEWSBOT_READERS: what they mean, and a message for a bad value."""

from __future__ import annotations

import pytest

from bot.config import Settings, SettingsError
from bot.desk import access


def test_unset_editors_means_nobody_and_star_means_everyone() -> None:
    unset = Settings.from_env({})
    assert not unset.may_edit("U0EDITOR") and not unset.may_edit("")
    everyone = Settings.from_env({"NEWSBOT_EDITORS": "*"})
    assert everyone.may_edit("U0ANYONE") and everyone.may_edit("W0GUEST")
    named = Settings.from_env({"NEWSBOT_EDITORS": "U0EDITOR, U0OTHER"})
    assert named.may_edit("U0EDITOR") and not named.may_edit("U0GUEST")


def test_the_refusal_says_how_to_name_editors_only_when_nobody_is_named() -> None:
    assert "NEWSBOT_EDITORS" in access.editors_refusal(frozenset())
    assert "NEWSBOT_EDITORS" not in access.editors_refusal(frozenset({"U0EDITOR"}))


def test_readers_are_users_or_channels_and_unset_means_the_whole_workspace() -> None:
    unset = Settings.from_env({})
    assert unset.may_use("U0ANYONE", "C0ANY")
    limited = Settings.from_env({"NEWSBOT_READERS": "U0REPORTER,C0NEWSDESK"})
    assert limited.may_use("U0REPORTER", "C0ELSEWHERE")
    assert limited.may_use("U0GUEST", "C0NEWSDESK")  # anyone, in the desk's channel
    assert not limited.may_use("U0GUEST", "C0ELSEWHERE")
    assert not limited.may_use("U0GUEST")  # App Home: no channel


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("NEWSBOT_EDITORS", "alice", "'alice' is not a Slack member ID"),
        ("NEWSBOT_EDITORS", "U0EDITOR,@bob", "'@bob' is not a Slack member ID"),
        ("NEWSBOT_EDITORS", "C0NEWSDESK", "'C0NEWSDESK' is not a Slack member ID"),
        ("NEWSBOT_READERS", "#newsdesk", "'#newsdesk' is not a Slack member or channel ID"),
    ],
)
def test_a_value_that_is_not_an_id_says_what_to_use(name: str, value: str, said: str) -> None:
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({name: value})
    assert str(raised.value).startswith(f"{name}: {said}")
    assert "U0123ABCD" in str(raised.value)
