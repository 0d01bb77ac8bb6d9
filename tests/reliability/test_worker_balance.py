"""Kept-alive connections use both workers (issue 17).

A proxy in front of the app (Fly.io's, Render's) keeps a few connections open and sends
every request down them. Eight such connections opened at once, while the second worker may
still be starting, end up four and four (give or take one) as requests flow: a worker two
connections ahead closes one after its answer, and the client's new connection goes to the
other. Which worker holds a connection is read from Linux's own tables (/proc), not from
anything the app reports about itself.
"""

from __future__ import annotations

import http.client
import re
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.reliability.conftest import REPORTER, Served, command_form, serve_env, signed_headers
from tests.slack_stand_in import SlackStandIn

CONNECTIONS = 8
WAIT_S = 60.0  # generous: two cores shared with the rest of the suite

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads which process holds a socket from /proc"
)


def socket_inodes(pid: int) -> set[int]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            found = re.fullmatch(r"socket:\[(\d+)\]", fd.readlink().name)
        except OSError:  # closed while we looked
            continue
        if found:
            inodes.add(int(found[1]))
    return inodes


def holders(port: int, pids: list[int]) -> Counter[int]:
    """How many established connections to ``port`` each of ``pids`` holds."""
    by_inode = {inode: pid for pid in pids for inode in socket_inodes(pid)}
    held: Counter[int] = Counter()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port, state, inode = int(fields[1].split(":")[1], 16), fields[3], int(fields[9])
        if local_port == port and state == "01" and inode in by_inode:  # 01: ESTABLISHED
            held[by_inode[inode]] += 1
    return held


def worker_pids(served: Served, count: int) -> list[int]:
    deadline = time.monotonic() + WAIT_S
    while len(pids := re.findall(r"Booting worker with pid: (\d+)", served.text())) < count:
        assert time.monotonic() < deadline, served.text()
        time.sleep(0.05)
    return [int(pid) for pid in pids]


@pytest.mark.slow
def test_eight_kept_alive_connections_end_up_shared_by_both_workers(
    serve, tmp_path: Path, slack: SlackStandIn
) -> None:
    served = serve(serve_env(tmp_path, slack, WEB_CONCURRENCY="2"))
    body = command_form("/figure", "parents", user=REPORTER)
    clients = [
        http.client.HTTPConnection("127.0.0.1", served.port, timeout=15) for _ in range(CONNECTIONS)
    ]
    pids = worker_pids(served, 2)
    deadline, rounds = time.monotonic() + WAIT_S, 0
    try:
        while True:
            for client in clients:  # http.client reconnects after a Connection: close
                client.request("POST", "/slack/events", body, signed_headers(body))
                answer = client.getresponse()
                assert answer.status == 200 and b"Parents" in answer.read()
            rounds += 1
            held = holders(served.port, pids)
            if (
                sum(held.values()) == CONNECTIONS
                and max(held.values()) - min(held.get(pid, 0) for pid in pids) <= 1
            ):
                break
            assert time.monotonic() < deadline, f"after {rounds} rounds: {held}"
    finally:
        for client in clients:
            client.close()
    assert set(held) == set(pids)
