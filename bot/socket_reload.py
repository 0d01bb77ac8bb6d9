"""Live edits in Socket Mode (``newsbot socket``), as ``newsbot serve`` has them.

One process holds the WebSocket, so there are no workers to replace: a change to the desk's
files (noticed by bot.live_desk's watcher) or a SIGHUP makes this process load and check the
desk once. A sound, changed desk gets a fresh runtime (its own app, scheduler and follow-up
book on the same database), and the handler hands every request from then on to the new
app; requests already being answered finish on the old one, which then stops. Each request
is answered wholly from one desk. A desk that fails the check is not loaded: the old one
keeps serving and its problems are logged once, with file and line.
"""

from __future__ import annotations

import logging
import threading
from typing import Protocol

from bot.config import Settings
from bot.live_desk import DeskWatcher, LiveDesk, desk_files
from bot.runtime import Runtime, start_runtime

logger = logging.getLogger(__name__)

OLD_REQUESTS_SECONDS = 10.0  # for requests begun on the old desk, before its runtime stops


class SwitchableHandler(Protocol):
    def switch_app(self, runtime: Runtime) -> int: ...
    def drain_before(self, generation: int, timeout: float) -> bool: ...


class SocketDeskSwap:
    """Owns Socket Mode's current runtime; swaps in a fresh one for a sound, changed desk."""

    def __init__(
        self,
        settings: Settings,
        live: LiveDesk,
        runtime: Runtime,
    ) -> None:
        self.settings = settings
        self.live = live
        self.runtime = runtime
        self._handler: SwitchableHandler | None = None
        self._wanted = threading.Event()
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._watcher: DeskWatcher | None = None

    def start(self, handler: SwitchableHandler, watch_every: float | None = None) -> None:
        """Watch the desk's files and swap on a change (or on :meth:`request`)."""
        self._handler = handler
        self._thread = threading.Thread(target=self._run, name="newsbot-desk-swap", daemon=True)
        self._thread.start()
        every = {} if watch_every is None else {"every": watch_every}
        self._watcher = DeskWatcher(lambda: desk_files(self.live.desk), self.request, **every)
        self._watcher.start()

    def request(self) -> None:
        """Ask for a reload (safe from a signal handler: it only sets an event)."""
        self._wanted.set()

    def stop(self) -> Runtime:
        """Stop watching; the runtime current now, for the caller to stop."""
        if self._watcher is not None:
            self._watcher.stop()
        self._stopped.set()
        self._wanted.set()
        if self._thread is not None:
            self._thread.join(OLD_REQUESTS_SECONDS + 5.0)
        with self._lock:
            return self.runtime

    def _run(self) -> None:
        while True:
            self._wanted.wait()
            self._wanted.clear()
            if self._stopped.is_set():
                return
            try:
                self.swap()
            except Exception:  # a reload that fails must not end live edits for good
                logger.exception("reloading the desk failed; still serving the old one")

    def swap(self) -> bool:
        """Load and check the desk; True when a fresh runtime now serves a changed one."""
        with self._lock:
            if self._stopped.is_set():
                return False
            logger.info("the desk's files changed (or a SIGHUP came); checking the desk")
            if not self.live.reload():
                return False
            fresh = start_runtime(self.settings, self.live.desk, "socket", None, self.live.version)
            old, self.runtime = self.runtime, fresh
        assert self._handler is not None
        generation = self._handler.switch_app(fresh)
        logger.info("answering from desk version %s", self.live.version)
        if not self._handler.drain_before(generation, OLD_REQUESTS_SECONDS):
            logger.warning(
                "requests begun on the old desk still running after %.0fs; stopping it anyway",
                OLD_REQUESTS_SECONDS,
            )
        old.stop()
        return True
