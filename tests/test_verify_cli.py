"""``newsbot verify FILE [--json]`` as a newsroom's CI runs it: real subprocesses, shipped desk."""

from __future__ import annotations

import json
from pathlib import Path

from tests.test_cli import ROOT, run

SEED = ROOT / "seeds" / "000_8c36c7995ecb0c4b.txt"
TWO_MISTAKES = (
    "Democratic chairs on the House Oversight and Judiciary Committees said the report\n"
    'revealed "the chaos, brutality, and reckless disregard for vulnerable children."\n'
    "\n"
    "Some 545 parents could not be located as of October, Axios reported.\n"
)


def test_a_draft_with_two_mistakes_prints_file_line_col_and_exits_1(tmp_path: Path) -> None:
    draft = tmp_path / "story.txt"
    draft.write_text(TWO_MISTAKES, encoding="utf-8")

    result = run("verify", str(draft), "--today", "2021-02-01")

    assert result.returncode == 1, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == (
        f'{draft}:2:10: mismatch: quote "the chaos, brutality, and reckless disregard for '
        'vulnerable children.": not verbatim: the draft has "brutality" where the source has '
        '"cruelty"'
    )
    assert lines[1] == (
        "    desk: the chaos, [-brutality-] {+cruelty+}, and reckless disregard for vulnerable "
        "children"
    )
    assert lines[2] == "    source: Axios, 14 Jan 2021 · seeds/000_8c36c7995ecb0c4b.txt, line 21"
    assert (
        lines[3] == f"{draft}:4:1: mismatch: figure Some 545: qualifier changed: the desk has "
        '"at least 545 parents", the draft "Some 545"'
    )
    assert lines[-1] == f"{draft}: 2 problems, 0 verified, 0 unverified"


def test_the_seed_article_verifies_and_exits_0() -> None:
    result = run("verify", str(SEED), "--today", "2021-02-01")

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == f"{SEED}: 0 problems, 12 verified, 0 unverified"
    assert ": mismatch:" not in result.stdout and ": unverified:" not in result.stdout


def test_json_has_totals_and_each_finding_with_its_source(tmp_path: Path) -> None:
    draft = tmp_path / "story.txt"
    draft.write_text(TWO_MISTAKES, encoding="utf-8")

    result = run("verify", str(draft), "--json", "--today", "2021-02-01")

    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["totals"] == {"problems": 2, "verified": 0, "unverified": 0}
    first = data["findings"][0]
    assert (first["line"], first["column"], first["status"], first["kind"]) == (
        2,
        10,
        "mismatch",
        "quote",
    )
    assert {"mark": "source", "words": "cruelty"} in first["marked"]
    assert first["source"]["line"] == 21 and first["source"]["publisher"] == "Axios"


def test_bad_usage_exits_2_with_a_message_and_no_traceback(tmp_path: Path) -> None:
    (tmp_path / "latin1.txt").write_bytes("caf\xe9 \u201c".encode("latin-1", "replace"))
    cases = {
        (str(tmp_path / "missing.txt"),): "cannot read",
        (str(tmp_path),): "is a directory",
        (str(tmp_path / "latin1.txt"),): "is not UTF-8 text",
        (str(SEED), "--today", "14/01/2021"): "use YYYY-MM-DD",
    }
    for args, message in cases.items():
        result = run("verify", *args)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert message in result.stderr
        assert "Traceback" not in result.stderr
    no_args = run("verify")
    assert no_args.returncode == 2 and "FILE" in no_args.stderr


def test_a_broken_facts_file_exits_2_naming_its_problems(tmp_path: Path) -> None:
    facts = tmp_path / "facts.yaml"
    facts.write_text("version: 1\nnewsroom: [\n", encoding="utf-8")

    result = run("--facts", str(facts), "verify", str(SEED))

    assert result.returncode == 2
    assert f"{facts}:" in result.stderr and "Traceback" not in result.stderr


def test_ask_check_prints_the_report_as_blocks(tmp_path: Path) -> None:
    db = {"DATABASE_URL": f"sqlite:///{tmp_path / 'newsbot.db'}"}
    result = run("ask", '/check "the chaos, brutality, and reckless disregard"', "--json", env=db)

    assert result.returncode == 0, result.stderr
    reply = json.loads(result.stdout)
    assert reply["response_type"] == "ephemeral"
    assert reply["text"] == "Draft check: 1 problem, 0 verified, 0 unverified"
    assert "~brutality~ *cruelty*" in json.dumps(reply["blocks"], ensure_ascii=False)
