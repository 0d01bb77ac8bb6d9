"""What is wrong in facts.yaml: one :class:`Problem` per mistake, with file, line, column and
key path, and :class:`Invalid`, which a value reader raises to say what and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in facts.yaml, where it is and what to do about it."""

    file: str
    line: int
    column: int
    key: str  # key path such as ``facts[3].quote``; empty for the file as a whole
    message: str
    hint: str | None = None
    warning: bool = False  # worth an editor's look, but the desk still loads

    def __str__(self) -> str:
        key = f"{self.key}: " if self.key else ""
        severity = "warning: " if self.warning else ""
        text = f"{self.file}:{self.line}:{self.column}: {severity}{key}{self.message}"
        if self.hint:
            text += "".join(f"\n    {line}" for line in self.hint.splitlines())
        return text


def by_position(problems: list[Problem]) -> list[Problem]:
    """Sorted by where they are, each once (a value read twice is reported once)."""
    return sorted(dict.fromkeys(problems), key=lambda p: (p.line, p.column, p.key))


def errors(problems: list[Problem]) -> list[Problem]:
    """The problems that stop a desk from loading (not the warnings)."""
    return [p for p in problems if not p.warning]


class Invalid(ValueError):
    """A value that does not parse, with a message and hint written for the editor."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint
