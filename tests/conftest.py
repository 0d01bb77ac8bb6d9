"""Shared fixtures: the Slack stand-in, the shipped facts file, database URLs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.slack_stand_in import SlackStandIn

ROOT = Path(__file__).resolve().parent.parent
FACTS = ROOT / "facts.yaml"


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    with SlackStandIn() as stand_in:
        yield stand_in


@pytest.fixture
def postgres_url() -> str:
    """A PostgreSQL URL from TEST_DATABASE_URL, or a skip that says how to get one."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url:
        pytest.skip(
            "PostgreSQL tests need TEST_DATABASE_URL, e.g. "
            "TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test pytest"
        )
    return url
