"""Broken facts files: `newsbot check` in a subprocess exits 1, names FILE:LINE, and never
prints a traceback. How long it takes is the bench's business (a busy CI machine must not fail a
test on time): `newsbot ask` start-up on a 10,000-fact desk is a row of `python -m bench.run`.
(tests/desk/test_load.py proves each message in-process; this proves what an editor at a
terminal, or a CI job, actually gets.)
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.reliability.conftest import FACTS, NEWSBOT, desk_folder

SHIPPED = FACTS.read_text(encoding="utf-8")


def edit(old: str, new: str) -> Callable[[Path], None]:
    def write(facts: Path) -> None:
        assert old in SHIPPED, old
        facts.write_text(SHIPPED.replace(old, new, 1), encoding="utf-8")

    return write


def write_text(text: str) -> Callable[[Path], None]:
    return lambda facts: facts.write_text(text, encoding="utf-8")


def write_bytes(data: bytes) -> Callable[[Path], None]:
    return lambda facts: facts.write_bytes(data)


def remove(facts: Path) -> None:
    facts.unlink()


def fifty_megabytes(facts: Path) -> None:
    """A real 50 MB file (not sparse): a pasted export, say. Made here, never committed."""
    line = b"# " + b"x" * 1021 + b"\n"
    with facts.open("wb") as handle:
        handle.write(SHIPPED.encode())
        for _ in range(50 * 1024):
            handle.write(line)


def alias_bomb(facts: Path) -> None:
    layers = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    layers += [f"a{k}: &a{k} [{', '.join([f'*a{k - 1}'] * 9)}]" for k in range(1, 15)]
    facts.write_text("\n".join(layers) + "\n")


def missing_seed(facts: Path) -> None:
    for seed in (facts.parent / "seeds").iterdir():
        seed.unlink()


CASES: dict[str, tuple[Callable[[Path], None], str]] = {
    # name: (how to break the file, a phrase the output must contain)
    "yaml-syntax": (edit("  - id: oig-came-at-expense\n", "  - id: [oig-came\n"), "YAML syntax"),
    "tab-indent": (edit("    kind: quote\n", "\tkind: quote\n"), "tab"),
    "duplicate-key": (edit("    unit: parents\n", "    unit: parents\n    unit: x\n"), "duplicate"),
    "duplicate-id": (edit("- id: white-house-response", "- id: parents-not-located"), "duplicate"),
    "dangling-source": (
        edit("    source: axios-oig-zero-tolerance\n", "    source: axios-oig\n"),
        "source",
    ),
    "bad-date": (edit("published: 2021-01-14", "published: 2021-02-30"), "date"),
    "bad-as-of": (edit("as_of: 2020-10", "as_of: October 2020"), "as_of"),
    "bad-cron": (edit('cron: "0 9 * * mon-fri"', 'cron: "0 25 * * mon-fri"'), "cron"),
    "bad-time-zone": (edit("  timezone: America/New_York\n", "  timezone: Mars/Base\n"), "Mars"),
    "missing-facts-file": (remove, "not found"),
    "missing-seed": (missing_seed, "not found"),
    "non-verbatim-quote": (edit("the chaos, cruelty,", "the chaos, brutality,"), "verbatim"),
    "typo-key": (edit("    publisher: Axios", "    publsher: Axios"), "publisher"),
    "alias-bomb": (alias_bomb, "alias"),
    "fifty-megabytes": (fifty_megabytes, "MB"),
    "binary-garbage": (write_bytes(b"version: 1\n" + bytes(range(256)) * 64), "UTF-8"),
    "nul-bytes": (write_bytes(b"version: 1\nnewsroom:\x00\x00\n"), "binary"),
    "control-character": (edit("name: Immigration desk", "name: Immigration\x1bdesk"), "plain"),
    "empty-file": (write_text(""), "empty"),
    "not-a-mapping": (write_text("- just\n- a list\n"), "mapping"),
    "figure-value-not-in-quote": (edit("    value: 545", "    value: 5450"), "value"),
    "unknown-kind": (edit("    kind: finding", "    kind: findings"), "finding"),
    "version-2": (edit("version: 1\n", "version: 2\n"), "version"),
    "source-outside-folder": (
        edit("file: seeds/000_8c36c7995ecb0c4b.txt", "file: ../../etc/passwd"),
        "outside",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_newsbot_check_exits_1_with_file_and_line(tmp_path: Path, case: str) -> None:
    facts = desk_folder(tmp_path)
    breaks, phrase = CASES[case]
    breaks(facts)
    result = subprocess.run(
        [str(NEWSBOT), "check", str(facts)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output, output
    assert re.search(rf"^{re.escape(str(facts))}:\d+:\d+: ", output, re.MULTILINE), output
    assert phrase.lower() in output.lower(), output


def test_the_shipped_file_passes_the_same_check(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(NEWSBOT), "check", str(desk_folder(tmp_path))],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stdout + result.stderr
