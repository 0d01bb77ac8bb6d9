"""Coverage-guided fuzzing of the command parser: bot.desk.search.parse_query and
bot.replies.router.Router.handle on the shipped desk, rendered as Block Kit.

Any command text must give a reply that renders within Slack's block limit; an exception
is a crash. Run: python fuzz/fuzz_commands.py fuzz/corpus/commands -max_total_time=60
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import atheris

# Only our code is instrumented: instrumenting the standard library and third-party packages
# too (the default) took a minute of start-up on a busy machine, before the first input ran.
with atheris.instrument_imports(include=["bot"]):
    from bot.desk.load import load_desk
    from bot.desk.search import parse_query
    from bot.replies.blocks import MAX_BLOCKS, reply_to_json
    from bot.replies.router import Router
    from bot.store.memory import MemoryBook

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = ("/facts", "/quote", "/figure", "/followups", "/source", "/nope")
USERS = ("U0EDITOR1", "U0REPORTER")
NOW = datetime(2021, 2, 1, 15, 0, tzinfo=UTC)
ROUTER = Router(load_desk(ROOT / "facts.yaml"), MemoryBook(), editors=frozenset({"U0EDITOR1"}))


def test_one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    command = COMMANDS[fdp.ConsumeIntInRange(0, len(COMMANDS) - 1)]
    user = USERS[fdp.ConsumeIntInRange(0, 1)]
    text = fdp.ConsumeUnicodeNoSurrogates(fdp.remaining_bytes())
    parse_query(text)
    reply = ROUTER.handle(command, text, user, NOW)
    payload = reply_to_json(reply)
    if not 0 < len(payload["blocks"]) <= MAX_BLOCKS:
        raise AssertionError(f"{len(payload['blocks'])} blocks")


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
