"""The real `newsbot serve` on a compiled desk: the first start checks the desk and compiles
it, later starts open the compiled file without checking again, and every worker reads that
one file's index (its pages shared through the page cache) instead of building its own.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

from bot.desk import compiled
from tests.reliability.conftest import REPORTER, Served, command_form, serve_env
from tests.slack_stand_in import SlackStandIn

WAIT_S = 60.0  # generous: two cores shared by a whole team


def messages(served: Served) -> list[str]:
    found = []
    for line in served.text().splitlines():
        try:
            found.append(str(json.loads(line).get("message", "")))
        except ValueError:
            continue
    return found


def workers_reading(served: Served, path: Path) -> set[int]:
    """The worker processes of ``served`` that hold ``path`` open."""
    found = set()
    for child in Path(f"/proc/{served.process.pid}/task").glob("*/children"):
        for pid in child.read_text().split():
            for fd in Path(f"/proc/{pid}/fd").glob("*"):
                try:
                    if fd.readlink() == path.resolve():
                        found.add(int(pid))
                except OSError:  # closed since it was listed
                    continue
    return found


def test_serve_compiles_once_then_starts_from_the_compiled_desk_in_every_worker(
    tmp_path: Path, serve: Callable[..., Served]
) -> None:
    with SlackStandIn() as slack:
        env = serve_env(tmp_path, slack, WEB_CONCURRENCY="2")
        facts = Path(env["FACTS_FILE"])
        first = serve(env)
        first.wait_for_line(r"checked the desk and compiled it into")
        written = compiled.find(facts, compiled.cache_folder(facts))
        assert written is not None
        version = first.request("GET", "/healthz").json()["desk"]
        assert first.stop() == 0

        second = serve(env)
        second.wait_for_line(r"serving the compiled desk")
        assert not any("checked the desk" in m for m in messages(second))
        assert second.request("GET", "/healthz").json()["desk"] == version
        answer = second.post(command_form("/figure", "parents", user=REPORTER))
        assert answer.status == 200 and b"545" in answer.body
        deadline = time.monotonic() + WAIT_S
        while len(workers_reading(second, written)) < 2:
            assert time.monotonic() < deadline, "the workers never opened the compiled desk"
            time.sleep(0.1)
