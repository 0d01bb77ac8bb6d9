"""bot.worker_share: which worker leaves a new connection to another, and which closes a
kept-alive one after its answer. Pure: the clock is injected."""

from __future__ import annotations

from bot.worker_share import CROWDED_READ_EVERY_S, STALE_AFTER_S, WorkerShare


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def share_of(*counts: int) -> tuple[WorkerShare, Clock]:
    """Workers in slots 0, 1, ... holding ``counts`` connections, all written just now."""
    clock = Clock()
    share = WorkerShare(slots=8, clock=clock)
    for slot, held in enumerate(counts):
        share.write(slot, held, pid=100 + slot)
    return share, clock


def test_a_worker_alone_never_defers_nor_closes() -> None:
    share, _ = share_of(8)
    assert share.fewest_elsewhere(0) is None
    assert not share.leave_to_another(0, 8)
    assert not share.crowded(0, 8)


def test_a_busier_worker_leaves_a_new_connection_to_a_less_busy_one() -> None:
    share, _ = share_of(3, 2)
    assert share.leave_to_another(0, 3)
    assert not share.leave_to_another(1, 2)  # the less busy one takes it
    even, _ = share_of(2, 2)
    assert not even.leave_to_another(0, 2) and not even.leave_to_another(1, 2)


def test_an_idle_worker_takes_its_first_connection_whatever_the_others_hold() -> None:
    share, _ = share_of(0, 0)
    assert not share.leave_to_another(0, 0)


def test_a_worker_two_ahead_closes_a_kept_alive_connection_and_one_ahead_does_not() -> None:
    share, _ = share_of(5, 3)
    assert share.crowded(0, 5)
    assert not share.crowded(1, 3)
    close, _ = share_of(4, 3)
    assert not close.crowded(0, 4)


def test_the_least_busy_of_several_others_counts() -> None:
    share, _ = share_of(4, 4, 1, 4)
    assert share.fewest_elsewhere(0) == 1
    assert share.crowded(0, 4) and share.crowded(3, 4) and not share.crowded(2, 1)


def test_a_stopping_worker_is_not_counted() -> None:
    share, _ = share_of(4, 0)
    share.write(1, -1, pid=101)  # stopping: it accepts nothing, so it is no one to defer to
    assert share.fewest_elsewhere(0) is None
    assert not share.leave_to_another(0, 4) and not share.crowded(0, 4)


def test_a_worker_that_stopped_writing_is_forgotten() -> None:
    share, clock = share_of(6, 0)
    clock.now += STALE_AFTER_S / 2
    share.write(0, 6, pid=100)
    assert share.crowded(0, 6)  # slot 1 wrote recently enough: it is alive
    clock.now += STALE_AFTER_S  # slot 1 has not written since: killed, or hung
    share.write(0, 6, pid=100)
    assert share.fewest_elsewhere(0) is None and not share.crowded(0, 6)


def test_slots_wrap_by_worker_age() -> None:
    share = WorkerShare(slots=8)
    assert share.slot_for(3) == 3 and share.slot_for(11) == 3


def test_after_an_answer_the_others_counts_are_read_at_most_every_few_milliseconds() -> None:
    share, clock = share_of(5, 3)
    assert share.crowded(0, 5)
    share.write(1, 5, pid=101)  # the other worker took connections meanwhile
    assert share.crowded(0, 5)  # read a moment ago: not read again yet
    clock.now += CROWDED_READ_EVERY_S * 1.5
    share.write(1, 5, pid=101)
    assert not share.crowded(0, 5)
    assert not share.leave_to_another(0, 5)  # accepting always reads afresh
