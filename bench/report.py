"""Tables of results, the machine they ran on, and the targets they are held to."""

from __future__ import annotations

import os
import platform
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

PACKAGES = ("slack-bolt", "slack-sdk", "SQLAlchemy", "gunicorn", "PyYAML", "APScheduler")


@dataclass
class Table:
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[str, ...]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *cells: object) -> None:
        self.rows.append(tuple(str(c) for c in cells))

    def markdown(self) -> str:
        lines = [f"### {self.title}", ""]
        lines.append("| " + " | ".join(self.columns) + " |")
        lines.append("|" + "|".join("---" for _ in self.columns) + "|")
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        lines += [""] + [f"- {note}" for note in self.notes]
        return "\n".join(lines).rstrip() + "\n"

    def text(self) -> str:
        widths = [
            max(len(c), *(len(r[i]) for r in self.rows)) if self.rows else len(c)
            for i, c in enumerate(self.columns)
        ]
        line = "  ".join(c.ljust(w) for c, w in zip(self.columns, widths, strict=True))
        body = [
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
            for row in self.rows
        ]
        return "\n".join([self.title, "-" * len(self.title), line, *body]) + "\n"


@dataclass(frozen=True)
class Target:
    """One of issue 6's targets: a measured figure against a bound."""

    name: str
    measured: float | None  # None: not measured in this run
    bound: float
    unit: str
    at_most: bool = True  # False: the figure must be at least ``bound``

    def met(self) -> bool | None:
        if self.measured is None:
            return None
        return self.measured <= self.bound if self.at_most else self.measured >= self.bound

    def row(self) -> tuple[str, str, str, str]:
        sign = "<=" if self.at_most else ">="
        shown = "not measured" if self.measured is None else f"{self.measured:,.2f} {self.unit}"
        verdict = {True: "met", False: "NOT MET", None: "-"}[self.met()]
        return self.name, shown, f"{sign} {self.bound:,g} {self.unit}", verdict


def targets_table(targets: Sequence[Target]) -> Table:
    table = Table("Targets", ("target", "measured", "bound", "verdict"))
    for target in targets:
        table.add(*target.row())
    return table


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory_total_mb() -> int:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


def version_of(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine_table(
    load_generator: str, now: Callable[[], datetime] = lambda: datetime.now(UTC)
) -> Table:
    table = Table("Machine and versions", ("what", "value"))
    table.add("date (UTC)", now().strftime("%Y-%m-%d %H:%M"))
    table.add("CPU", cpu_model())
    table.add("cores (os.cpu_count)", os.cpu_count() or 0)
    table.add("memory", f"{memory_total_mb():,} MB")
    table.add("OS", f"{platform.system()} {platform.release()}")
    table.add("Python", platform.python_version())
    for package in PACKAGES:
        table.add(package, version_of(package))
    table.add("load generator", load_generator)
    return table


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.2f}"


def mb(kilobytes: float) -> str:
    return f"{kilobytes / 1024:,.1f}"
