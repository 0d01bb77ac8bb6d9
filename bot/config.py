"""Settings: read from the environment once, checked at start, passed everywhere."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import timedelta
from typing import Literal

from bot.desk import access

DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///newsbot.db"
SECRET_FIELDS = frozenset(
    {"slack_bot_token", "slack_signing_secret", "slack_app_token", "health_token"}
)
_DURATION = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


class SettingsError(ValueError):
    """A setting a user got wrong; the message names the variable and what to do."""


MAX_CATCHUP = timedelta(days=7)


def parse_duration(text: str, variable: str, most: timedelta = MAX_CATCHUP) -> timedelta:
    """``0``, ``90s``, ``15m``, ``6h`` or ``2d``, up to ``most``."""
    match = _DURATION.match(text)
    if not match or len(match[1]) > 9:
        raise SettingsError(f"{variable}={text!r}: use a number with s, m, h or d, such as 6h")
    duration = timedelta(seconds=int(match[1]) * _UNIT_SECONDS[match[2]])
    if duration > most:
        raise SettingsError(f"{variable}={text!r}: use at most {most.days}d")
    return duration


def normalize_database_url(url: str) -> str:
    """Accept ``postgres://`` as PaaS add-ons write it; use psycopg 3 for PostgreSQL."""
    url = url.strip()
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _access_lists(
    editors_text: str | None, readers_text: str | None
) -> tuple[frozenset[str], frozenset[str]]:
    """NEWSBOT_EDITORS and NEWSBOT_READERS, checked (see bot.desk.access for what they mean)."""
    editors = access.parse_editors(editors_text or "")
    if isinstance(editors, str):
        raise SettingsError(f"NEWSBOT_EDITORS: {editors}")
    readers = access.parse_readers(readers_text or "")
    if isinstance(readers, str):
        raise SettingsError(f"NEWSBOT_READERS: {readers}")
    return editors, readers


_SCHEDULER = frozenset({"on", "off", "true", "false", "1", "0"})
_LEVELS = frozenset({"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"})
_LEVELS_HINT = "DEBUG, INFO, WARNING or ERROR"


def _one_of(name: str, value: str, allowed: frozenset[str] | set[str], hint: str) -> str:
    if value not in allowed:
        raise SettingsError(f"{name}={value!r}: use {hint}")
    return value


def _port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise SettingsError(f"PORT={text!r}: use a port number between 0 and 65535")
    return int(text)


def _api_url(url: str) -> str:
    """SLACK_API_URL, ending in a slash as slack_sdk joins method names onto it."""
    if not url.startswith(("https://", "http://")):
        raise SettingsError(f"SLACK_API_URL={url!r}: use an http(s) URL")
    return url if url.endswith("/") else url + "/"


_QUERY_PASSWORD = re.compile(r"([?&](?:ssl)?password=)[^&]*", re.IGNORECASE)
# user:password@ up to the LAST @ before the path: a password with an unencoded @ in it
# ("p@ss") must not leave its tail ("ss@host") on show.
_USER_PASSWORD = re.compile(r"(://[^:/@\s]*):[^/\s]*@")


def redact_url(url: str) -> str:
    """A database URL without its password (user:password@ or ?password=), for logs and
    /healthz."""
    return _QUERY_PASSWORD.sub(r"\1***", _USER_PASSWORD.sub(r"\1:***@", url))


def url_password(url: str) -> str | None:
    """The password as written in the URL (everything between ``user:`` and the last ``@``),
    so that error messages can mask it even where a driver parsed it differently."""
    found = re.search(r"://[^:/@\s]*:([^/\s]*)@", url)
    return found[1] if found and found[1] else None


# What each platform sets in every process it runs (from each platform's documentation of
# its runtime environment); any one of them is enough to tell where we are.
PLATFORM_MARKERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Heroku", ("DYNO",)),
    ("Render", ("RENDER", "RENDER_SERVICE_ID")),
    ("Fly.io", ("FLY_APP_NAME", "FLY_MACHINE_ID")),
    ("Railway", ("RAILWAY_PROJECT_ID", "RAILWAY_ENVIRONMENT_ID", "RAILWAY_SERVICE_ID")),
)
ATTACH_POSTGRES = {
    "Heroku": "heroku addons:create heroku-postgresql:essential-0",
    "Render": "add a PostgreSQL database and set DATABASE_URL from its connection string "
    "(render.yaml does both)",
    "Fly.io": "fly postgres create, then fly postgres attach <db-app-name>",
    "Railway": "add a PostgreSQL database and reference its DATABASE_URL in the service's "
    "Variables",
}
DEFAULT_POOL_SIZE = 5
MAX_POOL_SIZE = 100


def detect_platform(environ: Mapping[str, str]) -> str | None:
    """Heroku, Render, Fly.io or Railway, from the variables each sets; None elsewhere."""
    for name, markers in PLATFORM_MARKERS:
        if any(environ.get(marker, "").strip() for marker in markers):
            return name
    return None


def _pool_size(text: str | None) -> int:
    if text is None:
        return DEFAULT_POOL_SIZE
    if not text.isdigit() or not 1 <= int(text) <= MAX_POOL_SIZE:
        raise SettingsError(
            f"DATABASE_POOL_SIZE={text!r}: use a whole number from 1 to {MAX_POOL_SIZE} "
            "(connections each process may hold; your plan's connection limit divided by "
            "the number of processes)"
        )
    return int(text)


def _flag(text: str | None, variable: str) -> bool:
    if text is None:
        return False
    if text.lower() not in {"1", "0", "true", "false", "on", "off", "yes", "no"}:
        raise SettingsError(f"{variable}={text!r}: use 1 or 0")
    return text.lower() in {"1", "true", "on", "yes"}


@dataclass(frozen=True)
class Settings:
    facts_file: str = "facts.yaml"
    desk_cache: str | None = None  # NEWSBOT_DESK_CACHE; None: .newsbot-cache beside the facts
    database_url: str = DEFAULT_DATABASE_URL
    slack_bot_token: str | None = field(default=None, repr=False)
    slack_signing_secret: str | None = field(default=None, repr=False)
    slack_app_token: str | None = field(default=None, repr=False)
    slack_api_url: str = DEFAULT_API_URL
    team_id: str | None = None
    editors: frozenset[str] = frozenset()  # NEWSBOT_EDITORS; empty: nobody, "*": everyone
    readers: frozenset[str] = frozenset()  # NEWSBOT_READERS; empty: the whole workspace
    scheduler: bool = True
    catchup: timedelta = timedelta(hours=6)
    port: int = 3000
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"
    health_token: str | None = field(default=None, repr=False)
    pool_size: int = DEFAULT_POOL_SIZE
    platform: str | None = None
    allow_sqlite: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        def get(name: str) -> str | None:
            value = environ.get(name, "").strip()
            return value or None

        port = _port(get("PORT") or "3000")
        scheduler_text = _one_of(
            "NEWSBOT_SCHEDULER", (get("NEWSBOT_SCHEDULER") or "on").lower(), _SCHEDULER, "on or off"
        )
        log_format = _one_of(
            "LOG_FORMAT", (get("LOG_FORMAT") or "text").lower(), {"text", "json"}, "text or json"
        )
        log_level = _one_of(
            "LOG_LEVEL", (get("LOG_LEVEL") or "INFO").upper(), _LEVELS, _LEVELS_HINT
        )
        api_url = _api_url(get("SLACK_API_URL") or DEFAULT_API_URL)
        editors, readers = _access_lists(get("NEWSBOT_EDITORS"), get("NEWSBOT_READERS"))
        settings = cls(
            facts_file=get("FACTS_FILE") or "facts.yaml",
            desk_cache=get("NEWSBOT_DESK_CACHE"),
            database_url=normalize_database_url(get("DATABASE_URL") or DEFAULT_DATABASE_URL),
            slack_bot_token=get("SLACK_BOT_TOKEN"),
            slack_signing_secret=get("SLACK_SIGNING_SECRET"),
            slack_app_token=get("SLACK_APP_TOKEN"),
            slack_api_url=api_url,
            team_id=get("NEWSBOT_TEAM_ID"),
            editors=editors,
            readers=readers,
            scheduler=scheduler_text in {"on", "true", "1"},
            catchup=parse_duration(get("NEWSBOT_CATCHUP") or "6h", "NEWSBOT_CATCHUP"),
            port=port,
            log_level=log_level,
            log_format=log_format,  # type: ignore[arg-type]
            health_token=get("NEWSBOT_HEALTH_TOKEN"),
            pool_size=_pool_size(get("DATABASE_POOL_SIZE")),
            platform=detect_platform(environ),
            allow_sqlite=_flag(get("NEWSBOT_ALLOW_SQLITE"), "NEWSBOT_ALLOW_SQLITE"),
        )
        settings.check_tokens()
        return settings

    def check_database_for_platform(self) -> None:
        """On a PaaS a SQLite file sits on a disk thrown away at every restart, and each
        machine has its own: the follow-up history and the reminder ledger would be lost and
        reminders posted twice. Refuse unless told otherwise."""
        if self.platform is None or self.allow_sqlite:
            return
        if not self.database_url.startswith("sqlite"):
            return
        raise SettingsError(
            f"running on {self.platform} with SQLite (DATABASE_URL is "
            f"{'unset' if self.database_url == DEFAULT_DATABASE_URL else 'a sqlite URL'}): "
            "its file is lost at every restart and not shared between machines. Attach "
            f"PostgreSQL ({ATTACH_POSTGRES[self.platform]}), which sets DATABASE_URL; or set "
            "NEWSBOT_ALLOW_SQLITE=1 to run on SQLite anyway"
        )

    def check_tokens(self) -> None:
        """Token shapes: a pasted app token in the bot slot is a common mistake."""
        if self.slack_bot_token and not self.slack_bot_token.startswith("xoxb-"):
            raise SettingsError("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
        if self.slack_app_token and not self.slack_app_token.startswith("xapp-"):
            raise SettingsError("SLACK_APP_TOKEN must be an app-level token starting with xapp-")

    @property
    def has_slack(self) -> bool:
        return self.slack_bot_token is not None

    def require(self, *names: str) -> None:
        """Fail with one line naming the first missing variable."""
        for name in names:
            if getattr(self, name.lower()) is None:
                raise SettingsError(f"{name} is not set: copy it from your Slack app's settings")

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in self.public().items())
        return f"Settings({shown})"

    def may_edit(self, user_id: str) -> bool:
        return access.may_edit(self.editors, user_id)

    def may_use(self, user_id: str, channel_id: str = "") -> bool:
        return access.may_use(self.readers, user_id, channel_id)

    def public(self) -> dict[str, object]:
        """Settings safe to log or show: secrets say only whether they are set."""
        out: dict[str, object] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in SECRET_FIELDS:
                out[f.name] = "set" if value else "unset"
            elif f.name == "database_url":
                out[f.name] = redact_url(value)
            elif isinstance(value, frozenset):
                out[f.name] = sorted(value)
            elif isinstance(value, timedelta):
                out[f.name] = int(value.total_seconds())
            else:
                out[f.name] = value
        return out
