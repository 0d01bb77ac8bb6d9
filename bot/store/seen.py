"""Requests already run, shared by every web process through the database (see bot/web.py)."""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from sqlalchemy import Engine, delete, insert
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from bot.store.schema import seen_requests

log = logging.getLogger(__name__)


class SeenRequests:
    """``first_time(signature, expires, now)``: True the first time any process asks.

    It answers within ``deadline`` seconds: a database that does not answer in time (or
    fails) cannot say, and the request is let through (True) rather than held past Slack's
    3 seconds; the change it asks for then meets the database's own checks.
    """

    def __init__(self, engine: Engine, deadline: float = 1.0) -> None:
        self._engine = engine
        self._deadline = deadline

    def first_time(self, signature: str, expires: datetime, now: datetime) -> bool:
        answers: list[bool] = []

        def record() -> None:
            try:
                with self._engine.begin() as connection:
                    connection.execute(
                        delete(seen_requests).where(seen_requests.c.expires_at < now)
                    )
                    connection.execute(
                        insert(seen_requests).values(signature=signature, expires_at=expires)
                    )
                answers.append(True)
            except IntegrityError:
                answers.append(False)
            except SQLAlchemyError as exc:
                log.warning("could not check for a replayed request: %s", type(exc).__name__)

        thread = threading.Thread(target=record, name="seen-request", daemon=True)
        thread.start()
        thread.join(self._deadline)
        if not answers:
            log.warning("could not check for a replayed request in %.1fs", self._deadline)
        return answers[0] if answers else True
