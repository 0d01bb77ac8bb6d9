from __future__ import annotations

import pytest

from bot.desk.access import EVERYONE as STAR
from bot.desk.model import Desk
from bot.desk.search import SearchIndex
from bot.replies.router import Router
from bot.store.memory import MemoryBook
from tests.replies.desks import shipped_desk

EVERYONE = frozenset({STAR})


@pytest.fixture(scope="session")
def desk() -> Desk:
    return shipped_desk()


@pytest.fixture(scope="session")
def index(desk: Desk) -> SearchIndex:
    return SearchIndex.build(desk)


@pytest.fixture
def book() -> MemoryBook:
    return MemoryBook()


@pytest.fixture
def router(desk: Desk, index: SearchIndex, book: MemoryBook) -> Router:
    # Everyone may edit here, said out loud as NEWSBOT_EDITORS=* says it: who may is tested in
    # tests/reliability/test_access*.py (unset editors now means nobody, issue 13).
    return Router(desk, book, index, editors=EVERYONE)
