"""How many connections each worker of ``newsbot serve`` holds, in a page the workers share.

gunicorn's workers accept from one listening socket, and whichever is awake first takes a
connection. A proxy in front (Fly.io's, Render's) or a load generator keeps a handful of
connections open and sends every request down them, so a burst of new connections that one
worker takes stays with it: one core works while the other idles. Each worker writes its own
count here; a worker that holds more than another gives that one a moment to take the next
connection, and closes a kept-alive connection after its answer when it holds two more than
another (the client reconnects, and the connection lands where there is room).

The page is an anonymous shared mapping made when this module is imported: gunicorn imports
the worker class in the master before it forks, so every worker of one server shares it.
A slot whose worker stopped writing (it exited, or was killed) is ignored after
``STALE_AFTER_S``; a worker is never kept from accepting for longer than ``DEFER_S``.
"""

from __future__ import annotations

import mmap
import os
import struct
import time
from collections.abc import Callable

SLOTS = 64  # one per worker, by gunicorn's worker age; old ones leave within graceful_timeout
STALE_AFTER_S = 2.0  # a worker writes at least every TICK_S of bot.front (0.5 s)
DEFER_S = 0.002  # how long a busier worker leaves a new connection to a less busy one
# How old the others' counts may be when a worker decides, after an answer, whether to close
# a kept-alive connection (read at most this often: reading every slot costs microseconds,
# and a request costs a few hundred). Accepting always reads them afresh.
CROWDED_READ_EVERY_S = 0.05
_SLOT = struct.Struct("=iid")  # pid, connections held (-1: not accepting), written at (monotonic)


class WorkerShare:
    """Each worker's count of open connections, in memory shared across a fork."""

    def __init__(self, slots: int = SLOTS, clock: Callable[[], float] = time.monotonic) -> None:
        self._page = mmap.mmap(-1, _SLOT.size * slots)
        self._slots = slots
        self._clock = clock
        self._fewest_read: tuple[float, int, int | None] = (float("-inf"), -1, None)

    def slot_for(self, age: int) -> int:
        return age % self._slots

    def write(self, slot: int, connections: int, pid: int | None = None) -> None:
        """This worker's count; -1 when it does not accept (stopping, or not started)."""
        _SLOT.pack_into(
            self._page, slot * _SLOT.size, pid or os.getpid(), connections, self._clock()
        )

    def fewest_elsewhere(self, slot: int) -> int | None:
        """The fewest connections any other accepting, live worker holds; None when there is
        no such worker (one worker, or the others are stopping)."""
        now, fewest = self._clock(), None
        for index, (pid, held, written) in enumerate(_SLOT.iter_unpack(self._page)):
            if index == slot or pid == 0 or held < 0 or now - written > STALE_AFTER_S:
                continue
            fewest = held if fewest is None else min(fewest, held)
        return fewest

    def leave_to_another(self, slot: int, held: int) -> bool:
        """Whether a worker holding ``held`` should leave a new connection to another."""
        fewest = self.fewest_elsewhere(slot) if held else None
        return fewest is not None and fewest < held

    def crowded(self, slot: int, held: int) -> bool:
        """Whether a worker holding ``held`` should close a kept-alive connection after its
        answer: another holds at least two fewer."""
        fewest = self._fewest_lately(slot) if held > 1 else None
        return fewest is not None and fewest <= held - 2

    def _fewest_lately(self, slot: int) -> int | None:
        read_at, read_for, fewest = self._fewest_read
        now = self._clock()
        if read_for != slot or now - read_at >= CROWDED_READ_EVERY_S:
            fewest = self.fewest_elsewhere(slot)
            self._fewest_read = (now, slot, fewest)
        return fewest
