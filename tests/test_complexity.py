"""No function in bot/ above cyclomatic complexity 10 (radon's rank B): what
``radon cc -s -n C bot`` checks, as a test."""

from __future__ import annotations

from pathlib import Path

from radon.complexity import cc_visit
from radon.visitors import Function

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 10


def too_complex(folder: Path, root: Path = ROOT) -> dict[str, int]:
    """``file:function`` -> complexity, for every function or method above LIMIT."""
    found = {}
    for path in sorted(folder.rglob("*.py")):
        for block in cc_visit(path.read_text(encoding="utf-8")):
            if isinstance(block, Function) and block.complexity > LIMIT:
                found[f"{path.relative_to(root).as_posix()}:{block.fullname}"] = block.complexity
    return found


def test_no_function_in_bot_is_more_complex_than_the_limit() -> None:
    assert too_complex(ROOT / "bot") == {}


def test_a_function_with_eleven_branches_is_caught(tmp_path: Path) -> None:
    branches = "".join(f"    if x == {n}:\n        return {n}\n" for n in range(10))
    (tmp_path / "tangled.py").write_text(f"def tangled(x):\n{branches}    return -1\n")
    assert too_complex(tmp_path, tmp_path) == {"tangled.py:tangled": 11}
