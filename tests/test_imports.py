"""No import circle in bot/: every import counts, type-only and function-level ones included."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from pathlib import Path

BOT = Path(__file__).resolve().parent.parent / "bot"


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(root: Path = BOT) -> dict[str, set[str]]:
    """Each module of the package under ``root`` -> the modules of that package it imports."""
    files = {module_name(path, root): path for path in root.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                    base = f"{anchor}.{base}" if base else anchor
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    targets.add(full if full in files else base)
        graph[name] = {t for t in targets if t in files and t != name}
    return graph


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """One path per circle found (depth first), each starting and ending at the same module."""
    found: list[list[str]] = []
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> None:
        if node in path:
            found.append([*path[path.index(node) :], node])
            return
        if node in done:
            return
        for target in sorted(graph.get(node, ())):
            visit(target, [*path, node])
        done.add(node)

    for node in sorted(graph):
        visit(node, [])
    return found


def test_bot_has_no_import_circle() -> None:
    graph = import_graph()
    assert "bot.replies.router" in graph and "bot.replies.commands" in graph["bot.replies.router"]
    assert cycles(graph) == []


def test_a_circle_through_a_type_only_import_is_found(tmp_path: Path) -> None:
    package = tmp_path / "bot"
    (package / "replies").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "replies" / "__init__.py").write_text("")
    (package / "replies" / "router.py").write_text("from bot.replies import source\n")
    (package / "replies" / "source.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .router import Router\n"
    )
    assert cycles(import_graph(package)) == [
        ["bot.replies.router", "bot.replies.source", "bot.replies.router"]
    ]


PARTS = {"Heading", "Note", "FactCard", "FollowUpCard", "SourceCard", "Suggestions", "More"}


def part_builders(root: Path = BOT) -> dict[str, set[str]]:
    """Modules outside bot/replies/ that import a reply part (to build replies themselves)."""
    found: dict[str, set[str]] = {}
    for path in root.rglob("*.py"):
        if (root / "replies") in path.parents:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("bot.replies"):
                named = {alias.name for alias in node.names} & PARTS
                if named:
                    found.setdefault(module_name(path, root), set()).update(named)
    return found


def test_only_replies_build_reply_parts() -> None:
    assert part_builders() == {}


def test_a_transport_building_a_card_is_found(tmp_path: Path) -> None:
    (tmp_path / "bot" / "slack").mkdir(parents=True)
    (tmp_path / "bot" / "slack" / "home.py").write_text(
        "from bot.replies.reply import FactCard, Reply\n"
    )
    assert part_builders(tmp_path / "bot") == {"bot.slack.home": {"FactCard"}}
