"""gunicorn embedded in ``newsbot serve`` (imported only there: see bot.runtime.serve)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger as GunicornLogger

if TYPE_CHECKING:
    from wsgiref.types import WSGIApplication


class EmbeddedGunicorn(BaseApplication):  # type: ignore[misc]
    """gunicorn embedded: the app is built in each worker after fork (threads don't fork)."""

    def __init__(self, load_app: Callable[[], WSGIApplication], options: dict[str, Any]):
        self._load_app = load_app
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> WSGIApplication:
        return self._load_app()


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


def run_gunicorn(load_app: Callable[[], WSGIApplication], options: dict[str, Any]) -> int:
    """Run gunicorn in the foreground until it stops; its exit status."""
    try:
        EmbeddedGunicorn(load_app, options).run()
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 1
    return 0
