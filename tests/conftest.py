"""Shared fixtures: the Slack stand-in, the shipped facts file, database URLs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tests.slack_stand_in import SlackStandIn

# Property tests check behaviour, not speed: a busy CI machine must not fail them on time.
# Its too_slow health check times the generation of examples: off for the same reason.
hypothesis_settings.register_profile(
    "newsbot", deadline=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("newsbot")

ROOT = Path(__file__).resolve().parent.parent
FACTS = ROOT / "facts.yaml"


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    with SlackStandIn() as stand_in:
        yield stand_in


_HOW_TO_RUN_POSTGRES = (
    "TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test pytest (or .ci/run, which sets it)"
)
_postgres_problem: dict[str, str | None] = {}


def _postgres_unreachable(url: str) -> str | None:
    """Why the server at ``url`` cannot be used, or None; asked once per test session."""
    if url not in _postgres_problem:
        import psycopg

        plain = url.replace("postgresql+psycopg://", "postgresql://", 1)
        plain = plain.replace("postgres://", "postgresql://", 1)
        try:
            psycopg.connect(plain, connect_timeout=3).close()
            _postgres_problem[url] = None
        except psycopg.Error as exc:
            _postgres_problem[url] = (str(exc).strip().splitlines() or ["no answer"])[0]
    return _postgres_problem[url]


@pytest.fixture
def postgres_url() -> str:
    """A PostgreSQL URL from TEST_DATABASE_URL, or a skip that says how to get one."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url:
        pytest.skip(f"PostgreSQL tests need TEST_DATABASE_URL, e.g. {_HOW_TO_RUN_POSTGRES}")
    problem = _postgres_unreachable(url)
    if problem is not None:
        pytest.skip(
            f"PostgreSQL at TEST_DATABASE_URL is unreachable ({problem}); start it, or run "
            f"{_HOW_TO_RUN_POSTGRES}"
        )
    return url
