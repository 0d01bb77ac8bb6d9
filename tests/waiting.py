"""Waiting for an effect another thread or process produces: poll for it, never for time."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """Return once ``condition()`` holds; fail the test if it does not within ``timeout``.

    Work after Bolt's ack, the Slack stand-in's threads and child processes all finish on
    their own schedule; this looks every 10 ms and never stands in for a clock. The bound only
    ends a test whose effect never comes: generous, as CI shares two cores with other jobs.
    """
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {condition}")
        time.sleep(0.01)
