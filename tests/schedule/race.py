"""A sweeping process for the race tests: started with multiprocessing's spawn, like a dyno."""

from __future__ import annotations

from datetime import datetime, timedelta
from multiprocessing.synchronize import Barrier
from queue import Queue

from bot.schedule.sweep import sweep
from bot.store.db import Database
from tests.schedule.helpers import retrying_client, shipped_desk


def sweep_as_a_process(
    url: str, api_url: str, owner: str, now_iso: str, start: Barrier, results: Queue[list[str]]
) -> None:
    database = Database(url)
    database.create_schema()  # every process does at start, at the same moment
    client = retrying_client(api_url)
    desk = shipped_desk()
    start.wait(timeout=60)
    report = sweep(
        desk,
        database.book(),
        database.ledger(),
        client,
        datetime.fromisoformat(now_iso),
        timedelta(hours=6),
        owner,
    )
    results.put([o.result for o in report.outcomes])
    database.dispose()
