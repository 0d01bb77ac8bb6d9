"""gunicorn embedded in ``newsbot serve`` (imported only there: see bot.runtime.serve)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter
from gunicorn.glogging import Logger as GunicornLogger

if TYPE_CHECKING:
    from wsgiref.types import WSGIApplication


class EmbeddedGunicorn(BaseApplication):  # type: ignore[misc]
    """gunicorn embedded: the app is built in each worker after fork (threads don't fork)."""

    def __init__(
        self,
        load_app: Callable[[], WSGIApplication],
        options: dict[str, Any],
        desk_changed: Callable[[], bool] | None = None,
    ):
        self._load_app = load_app
        self._options = options
        self.desk_changed = desk_changed or (lambda: True)
        super().__init__()

    def run(self) -> None:
        try:
            DeskArbiter(self).run()
        except RuntimeError as error:  # as BaseApplication.run: gunicorn's own start-up errors
            print(f"\nError: {error}\n", file=sys.stderr)
            sys.stderr.flush()
            sys.exit(1)

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> WSGIApplication:
        return self._load_app()


class DeskArbiter(Arbiter):  # type: ignore[misc]
    """gunicorn's master, whose SIGHUP first loads and checks the desk: fresh workers are
    started (and the old ones stopped gracefully) only when a sound, changed desk is loaded.
    A broken edit leaves the running workers alone."""

    def handle_hup(self) -> None:
        if self.app.desk_changed():
            super().handle_hup()


class GunicornLogs(GunicornLogger):  # type: ignore[misc]
    """gunicorn's own lines ("Listening at", "Booting worker") in our format, once configured.

    gunicorn gives its error log a handler of its own, which would put plain-text lines
    among the JSON ones; once bot.logs has configured the root logger they go there instead.
    """

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        if logging.getLogger().handlers:
            for handler in list(self.error_log.handlers):
                self.error_log.removeHandler(handler)
            self.error_log.propagate = True


def run_gunicorn(
    load_app: Callable[[], WSGIApplication],
    options: dict[str, Any],
    desk_changed: Callable[[], bool] | None = None,
) -> int:
    """Run gunicorn in the foreground until it stops; its exit status. On SIGHUP,
    ``desk_changed`` decides whether the workers are replaced."""
    try:
        EmbeddedGunicorn(load_app, options, desk_changed).run()
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 1
    return 0
