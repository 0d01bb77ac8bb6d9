"""Coverage-guided fuzzing of the facts.yaml loader (bot.desk.load.check_file).

Any input must come back as a desk or a list of problems with a line number: an exception
is a crash. Run: python fuzz/fuzz_load.py fuzz/corpus/load -max_total_time=60
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import atheris

# Only our code is instrumented: instrumenting the standard library and third-party packages
# too (the default) took a minute of start-up on a busy machine, before the first input ran.
with atheris.instrument_imports(include=["bot"]):
    from bot.desk.load import check_file

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_8c36c7995ecb0c4b.txt"
# One folder for the whole run: facts.yaml is rewritten, the seed it may cite stays.
FOLDER = Path(tempfile.mkdtemp(prefix="fuzz-load-"))
(FOLDER / "seeds").mkdir()
shutil.copy(SEED, FOLDER / "seeds" / SEED.name)
FACTS = FOLDER / "facts.yaml"


def test_one_input(data: bytes) -> None:
    FACTS.write_bytes(data)
    desk, problems = check_file(FACTS)
    if desk is None and not problems:
        raise AssertionError("no desk and no problem")
    for problem in problems:
        if problem.line < 1 or problem.column < 1:
            raise AssertionError(f"no position: {problem}")


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
