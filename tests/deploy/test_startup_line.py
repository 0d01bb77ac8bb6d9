"""The start-up line names the database without its password, and the next reminder."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.config import Settings
from bot.desk.load import load_desk
from bot.runtime import startup_fields, startup_message
from bot.store.db import Database
from tests.conftest import FACTS


def test_a_platform_postgres_url_is_named_without_its_password() -> None:
    settings = Settings.from_env({"DATABASE_URL": "postgres://newsbot:s3cr3t@db.internal:5432/nb"})
    database = Database(settings.database_url)  # no connection is made until used
    soon, later = datetime(2026, 11, 30, 14, tzinfo=UTC), datetime(2026, 12, 1, 14, tzinfo=UTC)
    fields = startup_fields(
        "socket", load_desk(str(FACTS)), database, True, {"b": later, "a": soon}
    )
    assert fields["database"] == "postgresql" and "s3cr3t" not in str(fields)
    assert fields["next_reminder"] == soon.isoformat() and fields["next_reminder_id"] == "a"
    message = startup_message(fields)
    assert message.startswith("started in socket mode: ") and "postgresql database" in message
    database.dispose()


def test_a_process_without_the_scheduler_says_it_posts_nothing() -> None:
    database = Database("sqlite://")
    fields = startup_fields("http", load_desk(str(FACTS)), database, False, {})
    assert fields["next_reminder"] is None
    assert "no reminder posts from this process" in startup_message(fields)
    database.dispose()
