"""Settings from the environment: defaults, checks with messages that say what to do, no leaks."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.config import Settings, SettingsError, normalize_database_url, redact_url

TOKEN = "xoxb-1111-2222-abcdefSECRET"
SIGNING = "8f742231b10e8888abcd99yyyzzz85a5"


def test_defaults_match_the_design() -> None:
    s = Settings.from_env({})
    assert s.facts_file == "facts.yaml"
    assert s.database_url == "sqlite:///newsbot.db"
    assert s.slack_api_url == "https://slack.com/api/"
    assert s.port == 3000
    assert s.scheduler is True
    assert s.catchup == timedelta(hours=6)
    assert not s.has_slack


def test_every_variable_is_read() -> None:
    s = Settings.from_env(
        {
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING,
            "SLACK_APP_TOKEN": "xapp-1-A0-1-abc",
            "SLACK_API_URL": "http://127.0.0.1:9/api",
            "DATABASE_URL": "postgres://u:pw@db:5432/news",
            "FACTS_FILE": "desk/facts.yaml",
            "NEWSBOT_TEAM_ID": "T123",
            "NEWSBOT_EDITORS": "U1, U2,,",
            "NEWSBOT_SCHEDULER": "off",
            "NEWSBOT_CATCHUP": "90m",
            "PORT": "8080",
            "LOG_LEVEL": "debug",
            "LOG_FORMAT": "json",
        }
    )
    assert s.slack_api_url == "http://127.0.0.1:9/api/"
    assert s.database_url == "postgresql+psycopg://u:pw@db:5432/news"
    assert s.editors == frozenset({"U1", "U2"})
    assert s.scheduler is False
    assert s.catchup == timedelta(minutes=90)
    assert (s.port, s.log_level, s.log_format, s.team_id) == (8080, "DEBUG", "json", "T123")
    assert s.may_edit("U1") and not s.may_edit("U3")


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"PORT": "web"}, "PORT"),
        ({"NEWSBOT_SCHEDULER": "maybe"}, "NEWSBOT_SCHEDULER"),
        ({"NEWSBOT_CATCHUP": "six hours"}, "NEWSBOT_CATCHUP"),
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT"),
        ({"SLACK_API_URL": "slack.com/api"}, "SLACK_API_URL"),
        ({"SLACK_BOT_TOKEN": "xapp-wrong-slot"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_APP_TOKEN": "xoxb-wrong-slot"}, "SLACK_APP_TOKEN"),
    ],
)
def test_bad_values_name_the_variable(env: dict[str, str], names: str) -> None:
    with pytest.raises(SettingsError, match=names):
        Settings.from_env(env)


def test_token_in_the_wrong_slot_is_not_echoed() -> None:
    with pytest.raises(SettingsError) as error:
        Settings.from_env({"SLACK_BOT_TOKEN": "xapp-1-SECRETVALUE"})
    assert "SECRETVALUE" not in str(error.value)


def test_missing_secret_is_one_line_naming_it() -> None:
    s = Settings.from_env({"SLACK_BOT_TOKEN": TOKEN})
    with pytest.raises(SettingsError, match=r"^SLACK_SIGNING_SECRET is not set"):
        s.require("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")


def test_secrets_never_in_repr_or_public_view() -> None:
    s = Settings.from_env(
        {
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING,
            "DATABASE_URL": "postgres://u:hunter2@db/news",
        }
    )
    for shown in (repr(s), str(s.public())):
        assert TOKEN not in shown and SIGNING not in shown and "hunter2" not in shown
    assert s.public()["slack_bot_token"] == "set"


def test_database_urls_as_paas_add_ons_write_them() -> None:
    assert normalize_database_url("postgres://a@b/c") == "postgresql+psycopg://a@b/c"
    assert normalize_database_url("postgresql://a@b/c") == "postgresql+psycopg://a@b/c"
    assert normalize_database_url("sqlite:///x.db") == "sqlite:///x.db"
    assert redact_url("postgresql+psycopg://u:pw@h/d") == "postgresql+psycopg://u:***@h/d"


def test_catch_up_window_is_bounded() -> None:
    assert Settings.from_env({"NEWSBOT_CATCHUP": "0"}).catchup == timedelta(0)
    assert Settings.from_env({"NEWSBOT_CATCHUP": "7d"}).catchup == timedelta(days=7)
    for too_long in ("8d", "99999999999999d"):
        with pytest.raises(SettingsError, match="NEWSBOT_CATCHUP"):
            Settings.from_env({"NEWSBOT_CATCHUP": too_long})


def test_a_password_in_the_query_string_is_redacted_too() -> None:
    url = "postgresql+psycopg://u@h/d?sslmode=require&password=S3cret&x=1"
    assert redact_url(url) == "postgresql+psycopg://u@h/d?sslmode=require&password=***&x=1"


def test_a_password_with_an_at_sign_is_redacted_whole() -> None:
    url = "postgresql+psycopg://news:p@ss-W0rd@db:5432/news"
    assert redact_url(url) == "postgresql+psycopg://news:***@db:5432/news"
    assert redact_url("sqlite:///newsbot.db") == "sqlite:///newsbot.db"


def test_the_health_token_is_a_secret() -> None:
    s = Settings.from_env({"NEWSBOT_HEALTH_TOKEN": "h3alth-T0ken"})
    assert s.health_token == "h3alth-T0ken"
    assert "h3alth-T0ken" not in repr(s) and s.public()["health_token"] == "set"
