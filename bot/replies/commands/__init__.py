"""The registry of slash commands: every module in this package declares one ``COMMAND``.

Adding a command is adding a module here (plus its entries in both manifests and the README's
command table, which tests/test_commands_agree.py checks). Bolt registration, help, the console,
the Share button's allow-list and the tests all read :data:`COMMANDS`.
"""

from __future__ import annotations

import importlib
import pkgutil

from bot.replies.command import Command


def _discover() -> tuple[Command, ...]:
    found: list[Command] = []
    for module_info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        command = getattr(module, "COMMAND", None)
        if not isinstance(command, Command):
            raise TypeError(f"{module.__name__} declares no COMMAND = Command(...)")
        found.append(command)
    return tuple(sorted(found, key=lambda c: (c.position, c.name)))


COMMANDS: tuple[Command, ...] = _discover()
NAMES: tuple[str, ...] = tuple(c.name for c in COMMANDS)


def find(name: str) -> Command | None:
    """The registered command called ``name`` (``/facts``), or None."""
    return next((c for c in COMMANDS if c.name == name), None)
