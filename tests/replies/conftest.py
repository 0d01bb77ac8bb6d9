from __future__ import annotations

import pytest

from bot.desk.model import Desk
from bot.desk.search import SearchIndex
from bot.replies.router import Router
from bot.store.memory import MemoryBook
from tests.replies.desks import shipped_desk


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
    return Router(desk, book, index)
