"""On a platform that throws its disk away, SQLite is refused unless asked for (issue 13)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Settings, SettingsError, detect_platform
from bot.store.db import Database, DatabaseError

ROOT = Path(__file__).resolve().parents[2]
NEWSBOT = Path(sys.executable).parent / "newsbot"

# What each platform sets in every process (its documentation of the runtime environment).
PLATFORMS = {
    "Heroku": {"DYNO": "web.1"},
    "Render": {"RENDER": "true"},
    "Fly.io": {"FLY_APP_NAME": "newsbot", "FLY_MACHINE_ID": "148ed21b"},
    "Railway": {"RAILWAY_PROJECT_ID": "2f3c", "RAILWAY_ENVIRONMENT_ID": "9a1b"},
}
ATTACH = {
    "Heroku": "heroku addons:create heroku-postgresql",
    "Render": "PostgreSQL",
    "Fly.io": "fly postgres attach",
    "Railway": "PostgreSQL",
}


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_each_platform_is_recognised(platform: str) -> None:
    assert detect_platform(PLATFORMS[platform]) == platform
    assert detect_platform({"HOME": "/home/me", "PORT": "3000"}) is None


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_sqlite_on_a_platform_is_refused_with_how_to_attach_postgres(platform: str) -> None:
    settings = Settings.from_env(PLATFORMS[platform])
    with pytest.raises(SettingsError) as refused:
        settings.check_database_for_platform()
    message = str(refused.value)
    assert platform in message and ATTACH[platform] in message
    assert "NEWSBOT_ALLOW_SQLITE=1" in message
    Settings.from_env(
        {**PLATFORMS[platform], "NEWSBOT_ALLOW_SQLITE": "1"}
    ).check_database_for_platform()
    postgres = {**PLATFORMS[platform], "DATABASE_URL": "postgres://u:pw@db:5432/news"}
    Settings.from_env(postgres).check_database_for_platform()
    Settings.from_env({}).check_database_for_platform()  # a laptop: SQLite is the default


@pytest.mark.parametrize("command", [["serve", "--port", "0"], ["socket"], ["post-due"]])
def test_the_commands_that_keep_state_refuse_to_start(command: list[str], tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "DYNO": "web.1",
        "SLACK_BOT_TOKEN": "xoxb-paas-0000",
        "SLACK_SIGNING_SECRET": "paas-secret",
        "SLACK_APP_TOKEN": "xapp-1-paas-0000",
        "SLACK_API_URL": "http://127.0.0.1:9/api/",
        "FACTS_FILE": str(ROOT / "facts.yaml"),
    }
    result = subprocess.run(
        [str(NEWSBOT), *command], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2, result.stderr
    assert "running on Heroku with SQLite" in result.stderr
    assert "heroku addons:create heroku-postgresql" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "newsbot.db").exists()  # refused before creating the file


def test_pool_size_is_configurable_and_checked() -> None:
    assert Settings.from_env({}).pool_size == 5
    assert Settings.from_env({"DATABASE_POOL_SIZE": "3"}).pool_size == 3
    for bad in ("0", "many", "-1", "1000"):
        with pytest.raises(SettingsError, match="DATABASE_POOL_SIZE"):
            Settings.from_env({"DATABASE_POOL_SIZE": bad})
    database = Database("postgresql+psycopg://u:pw@127.0.0.1:9/news", pool_size=3)
    assert database.engine.pool.size() == 3  # type: ignore[attr-defined]
    database.dispose()


def test_a_port_that_is_not_a_number_is_a_message_not_a_traceback() -> None:
    with pytest.raises(DatabaseError) as refused:
        Database("postgresql+psycopg://u:S3cretPw@db:five432/news")
    assert "not a database URL" in str(refused.value) and "port" in str(refused.value)
    assert "S3cretPw" not in str(refused.value)


def test_an_at_sign_in_a_password_is_redacted_and_explained() -> None:
    with pytest.raises(DatabaseError) as refused:
        Database("postgresql+psycopg://news:p@ss-W0rd@db.example:5432/news")
    message = str(refused.value)
    assert "%40" in message
    assert "p@ss" not in message and "ss-W0rd" not in message and "W0rd" not in message
