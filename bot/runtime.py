"""Running the Slack app: HTTP under gunicorn (``serve``) or Socket Mode (``run_socket``).

Both start the database and (unless NEWSBOT_SCHEDULER=off) the reminder scheduler, and
stop everything within 10 s of SIGTERM or SIGINT: Heroku allows 30 s, Kubernetes 30 s by
default, and a shorter bound leaves room for the platform's own bookkeeping.
"""

from __future__ import annotations

import fcntl
import gc
import logging
import os
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.config import Settings, SettingsError
from bot.desk.model import Desk, FollowUpBook, describe_counts
from bot.live_desk import DeskWatcher, LiveDesk, desk_files, desk_version
from bot.logs import shutdown_logging
from bot.slack.bolt_app import build_app
from bot.slack.client import make_client

if TYPE_CHECKING:
    from wsgiref.types import WSGIApplication

    from bot.desk.search import SearchIndex
    from bot.replies.router import Router
    from bot.schedule.runner import ReminderScheduler
    from bot.store.db import Database

logger = logging.getLogger(__name__)

# A worker copies the desk's pages it reads, so its memory grows with age: at 100,000 facts,
# 500 MB for the whole server after 7,000 commands, from 265 MB after 300; replacing workers
# every 500 answers kept it at 269 (bench/findings.md). Off by default, as in gunicorn: a
# small desk hardly grows, and a replacement costs a fork and a warm-up.
DEFAULT_MAX_REQUESTS = 0
# Together well inside the 10 s promised in the module docstring.
STOP_TIMEOUT_SECONDS = 8.0  # gunicorn's graceful_timeout: workers still busy then are killed
RUNTIME_STOP_SECONDS = 5.0  # work after ack, then the scheduler's delivery in flight
LAZY_WORKERS = 5  # Bolt's own default for work after ack
DEFAULT_THREADS = 8
MAX_CONNECTIONS = 1000  # per worker; a slow client costs a coroutine, not a thread


@dataclass
class Runtime:
    """What one serving process holds: the database, the scheduler, the Bolt app."""

    settings: Settings
    desk: Desk
    database: Database
    client: WebClient
    app: App
    lazy_work: ThreadPoolExecutor
    scheduler: ReminderScheduler | None = None
    corrections: threading.Thread | None = None
    desk_version: str = ""
    _stopped: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take_over_reminders(self) -> bool:
        """Start posting reminders here, unless stopping; True if this call started them."""
        from bot.schedule.runner import start_scheduler

        with self._lock:
            if self._stopped.is_set() or self.scheduler is not None:
                return False
            self.scheduler = start_scheduler(self.settings, self.desk, self.database, self.client)
        return True

    def next_runs(self) -> Mapping[str, datetime]:
        return next_runs(self.desk, datetime.now(UTC))

    def health(self) -> tuple[int, dict[str, Any]]:
        """/healthz: what an operator checks first. No secrets: the URL is redacted.

        503 only when the database failed or did not answer in time; everything but
        ``status`` and ``desk`` is shown only with the health token (bot.web decides).
        """
        reachable = self.database.ping()
        last: object = None
        if reachable:
            try:
                last = self.database.ledger().last_outcome()
            except Exception:  # a health check must answer whatever the driver throws
                logger.warning("could not read the delivery ledger for /healthz")
        data = {
            "status": "ok" if reachable else "database unreachable",
            "desk": self.desk_version,
            "facts": self.desk.counts(),
            "database": {"reachable": reachable, "kind": self.database.kind},
            "scheduler": self.scheduler is not None,
            "next_reminders": {k: v.isoformat() for k, v in sorted(self.next_runs().items())},
            "last_delivery": last,
        }
        return (200 if reachable else 503), data

    def stop(self, timeout: float = RUNTIME_STOP_SECONDS) -> None:
        """Finish work already acknowledged to Slack, stop the scheduler, close the database.

        Bounded by ``timeout`` overall: what is still running then is left to the lease
        (reminders) or lost (a Share still being posted), rather than overrun the platform's
        grace period and be killed half-way through closing the database.
        """
        with self._lock:
            if self._stopped.is_set():
                return
            self._stopped.set()
        deadline = time.monotonic() + timeout
        if not _finished_within(self.lazy_work.shutdown, timeout):
            logger.warning("work after ack still running after %.0fs; not waiting longer", timeout)
        if self.scheduler is not None:
            self.scheduler.shutdown(timeout=max(0.0, deadline - time.monotonic()))
        if self.corrections is not None:  # an edit cut short is redone at the next start
            self.corrections.join(max(0.0, deadline - time.monotonic()))
        self.database.dispose()
        logger.info("stopped", extra={"pid": os.getpid()})


def _finished_within(stop: Callable[[], object], timeout: float) -> bool:
    """Run a stop call that has no timeout of its own; stop waiting after ``timeout``."""
    waiter = threading.Thread(target=stop, name="newsbot-stop", daemon=True)
    waiter.start()
    waiter.join(timeout)
    return not waiter.is_alive()


def next_runs(desk: Desk, now: datetime) -> dict[str, datetime]:
    """Each reminder's next post time (UTC): the same in every process, posting or not."""
    from bot.schedule.due import next_occurrence

    runs = {r.id: next_occurrence(r, now) for r in desk.reminders}
    return {rid: at for rid, at in runs.items() if at is not None}


def start_runtime(
    settings: Settings,
    desk: Desk,
    mode: str = "http",
    scheduler_seat: str | None = None,
    version: str | None = None,
    index: SearchIndex | None = None,
) -> Runtime:
    """Open the database, build the app, start the scheduler (unless switched off).

    ``version``: the desk's version as computed when it was loaded (the files may have
    changed since: a worker started later must not show a version it does not serve).
    ``index``: the desk's search index if it was compiled with it (shared by the workers of
    a server); without one, this process builds its own.

    ``scheduler_seat``: a lock file shared by the workers of one server; only the worker
    holding it runs the scheduler, and another takes it over when that worker exits. (The
    ledger would keep several from posting twice; one is simply all the work needed.)
    """
    from bot.replies.router import Router
    from bot.store.db import ANSWER_WITHIN_S, Database

    database = Database(settings.database_url, settings.pool_size)
    database.create_schema()
    book = database.book(answer_within=ANSWER_WITHIN_S)
    client = make_client(settings)
    router = Router(desk, book, index=index, editors=settings.editors)

    def upcoming() -> Mapping[str, datetime]:
        return next_runs(desk, datetime.now(UTC))

    lazy_work = ThreadPoolExecutor(max_workers=LAZY_WORKERS, thread_name_prefix="newsbot-lazy")
    app = build_app(
        settings,
        desk,
        book,
        client,
        router,
        next_runs=upcoming,
        listener_executor=lazy_work,
        said=database.said(),
    )
    runtime = Runtime(
        settings, desk, database, client, app, lazy_work, desk_version=version or desk_version(desk)
    )
    runtime.corrections = apply_corrections_for(desk, database, book, client)
    _warm_up(router)
    standby = False
    if settings.scheduler:
        if scheduler_seat is None or _take_seat(scheduler_seat, wait=False):
            runtime.take_over_reminders()
        else:
            standby = True
            threading.Thread(
                target=_wait_for_seat,
                args=(scheduler_seat, runtime),
                name="newsbot-scheduler-seat",
                daemon=True,
            ).start()
    posting = runtime.scheduler is not None
    fields = startup_fields(mode, desk, database, posting, upcoming() if settings.scheduler else {})
    fields["scheduler_standby"] = standby
    logger.info(startup_message(fields), extra=fields)
    return runtime


def _warm_up(router: Router) -> None:
    """A few questions answered before the first request (Router.warm_up); a failure here
    never stops a process from serving."""
    try:
        router.warm_up(datetime.now(UTC))
    except Exception:
        logger.warning("warming up failed; serving anyway", exc_info=True)


def apply_corrections_for(
    desk: Desk, database: Database, book: FollowUpBook, client: WebClient
) -> threading.Thread:
    """A desk was loaded: messages citing what changed in it are corrected (in the background)."""
    from bot.corrections import correct_in_background
    from bot.slack.services import utc_now

    return correct_in_background(desk, database.said(), book, client, utc_now)


def _take_seat(path: str, *, wait: bool) -> bool:
    """An exclusive lock on ``path``, held until this process exits (the kernel frees it)."""
    seat = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(seat, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(seat)
        return False
    return True  # the descriptor stays open: closing it would free the lock


def _wait_for_seat(path: str, runtime: Runtime) -> None:
    """Block until the worker posting reminders exits (its lock is freed), then post them."""
    if _take_seat(path, wait=True) and runtime.take_over_reminders():
        logger.info(
            "this worker now posts the reminders (the one that did has stopped)",
            extra={"pid": os.getpid()},
        )


def startup_fields(
    mode: str,
    desk: Desk,
    database: Database,
    scheduler_on: bool,
    next_runs: Mapping[str, datetime],
) -> dict[str, Any]:
    """What a process says when it starts: enough to tell from the log what is running."""
    upcoming = min(next_runs.items(), key=lambda item: item[1], default=None)
    return {
        "event": "started",
        "mode": mode,
        "pid": os.getpid(),
        "facts": desk.counts(),
        "database": database.kind,
        "database_url": database.url,  # Database keeps only the redacted form
        "scheduler": scheduler_on,
        "next_reminder": upcoming[1].isoformat() if upcoming else None,
        "next_reminder_id": upcoming[0] if upcoming else None,
    }


def startup_message(fields: Mapping[str, Any]) -> str:
    counts = describe_counts(fields["facts"])
    upcoming = (
        f"next reminder {fields['next_reminder_id']} at {fields['next_reminder']}"
        if fields["next_reminder"]
        else "reminders posted by another worker of this server (this one stands by)"
        if fields.get("scheduler_standby")
        else "no reminder posts from this process"
        if not fields["scheduler"]
        else "no reminder due"
    )
    return f"started in {fields['mode']} mode: {counts}; {fields['database']} database; {upcoming}"


# --- HTTP ---------------------------------------------------------------------------------


MAX_DEFAULT_WORKERS = 4


def default_workers() -> int:
    """One worker per core this process may use, at most MAX_DEFAULT_WORKERS: a container
    often sees all of its host's cores (a Heroku dyno sees 8), and each worker holds its
    own Bolt app and database pool. Platforms that know better set WEB_CONCURRENCY."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_DEFAULT_WORKERS))


@dataclass(frozen=True)
class WebOptions:
    workers: int = 1
    threads: int = DEFAULT_THREADS
    max_requests: int = DEFAULT_MAX_REQUESTS

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> WebOptions:
        """WEB_CONCURRENCY (processes, as Heroku sets it; default: the cores), WEB_THREADS
        (per process) and WEB_MAX_REQUESTS (answers before a worker is replaced; 0: never)."""
        return cls(
            workers=_positive(environ, "WEB_CONCURRENCY", default_workers()),
            threads=_positive(environ, "WEB_THREADS", DEFAULT_THREADS),
            max_requests=_positive(environ, "WEB_MAX_REQUESTS", DEFAULT_MAX_REQUESTS, least=0),
        )


def _positive(environ: Mapping[str, str], name: str, default: int, least: int = 1) -> int:
    text = environ.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or int(text) < least:
        raise SettingsError(f"{name}={text!r}: use a whole number of {least} or more")
    return int(text)


def serve(
    settings: Settings,
    desk: Desk | LiveDesk,
    port: int,
    environ: Mapping[str, str] | None = None,
    host: str = "0.0.0.0",  # noqa: S104 - a platform's router reaches the dyno from outside
) -> int:
    """HTTP mode under gunicorn (bot.front's workers); returns the exit status.

    ``desk``: what the workers serve, with how a changed desk is loaded and checked
    (bot.cli.desk_to_serve: compiled, its index shared); a Desk alone is checked again in
    this process on a change.

    On SIGTERM gunicorn stops accepting, lets each worker finish its requests, then runs
    ``worker_exit`` (work after ack, scheduler, database) and exits 0; a worker still busy
    after STOP_TIMEOUT_SECONDS is killed, so the whole stop stays inside 10 s.
    """
    from bot.store.seen import SeenRequests
    from bot.web import make_wsgi_handler

    settings.require("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
    # Checked before gunicorn is imported: its config module reads WEB_CONCURRENCY with int()
    # at import time and would answer a typo with a traceback.
    web = WebOptions.from_env(os.environ if environ is None else environ)
    from bot.gunicorn_runner import GunicornLogs, run_gunicorn

    runtimes: list[Runtime] = []
    seat = _scheduler_seat() if settings.scheduler and web.workers > 1 else None
    live = desk if isinstance(desk, LiveDesk) else LiveDesk(desk.path, desk)
    del desk  # the LiveDesk alone holds it, so that a reload frees it

    def load_app() -> WSGIApplication:
        # In each worker, after the fork: threads (scheduler, work after ack) and database
        # connections do not survive a fork, so each worker opens its own.
        runtime = start_runtime(settings, live.desk, "http", seat, live.version, live.index)
        if live.index is not None:  # the compiled tables, mapped before the first request
            live.index.connect()
        runtimes.append(runtime)
        seen = SeenRequests(runtime.database.engine)  # replays caught across workers
        handler = make_wsgi_handler(settings, runtime.app, runtime.health, seen)
        _freeze_shared()  # what the worker made to serve lives as long as it: never scanned
        return handler

    def worker_exit(_server: object, _worker: object) -> None:
        for runtime in runtimes:
            runtime.stop()
        shutdown_logging()  # the worker's last lines are written before it exits

    options = {
        **gunicorn_options(web, host, port),
        "loglevel": settings.log_level.lower(),
        "logger_class": GunicornLogs,
        "worker_exit": worker_exit,
        "proc_name": "newsbot",
    }
    logger.info("serving HTTP on port %s (%s x %s threads)", port, web.workers, web.threads)
    # The desk (and every module) is loaded once, here, before gunicorn forks: the workers
    # share those pages with this process. Frozen, the collector never writes to them.
    _freeze_shared()
    # A changed file is a SIGHUP to this process: gunicorn's master handles it (bot.live_desk).
    master = os.getpid()
    watcher = DeskWatcher(
        lambda: desk_files(live.desk), lambda: os.kill(master, signal.SIGHUP)
    ).start()
    try:
        return run_gunicorn(load_app, options, lambda: _reloaded(live))
    finally:
        watcher.stop()
        if seat is not None:
            Path(seat).unlink(missing_ok=True)


def _freeze_shared() -> None:
    gc.collect()
    gc.freeze()


def _reloaded(live: LiveDesk) -> bool:
    """On SIGHUP, in the master: a sound, changed desk is loaded before workers start on it."""
    if not live.reload():
        return False
    _freeze_shared()  # the new desk, like the first, is shared with the workers forked next
    return True


def _scheduler_seat() -> str:
    """A fresh lock file for this server's workers to decide which one posts reminders."""
    handle, path = tempfile.mkstemp(prefix="newsbot-scheduler-", suffix=".lock")
    os.close(handle)
    return path


def gunicorn_options(web: WebOptions, host: str, port: int) -> dict[str, Any]:
    """How ``newsbot serve`` runs gunicorn; the benchmark serves its baseline the same way."""
    return {
        "bind": f"{host}:{port}",
        "workers": web.workers,
        # bot/front.py: requests are read whole, within deadlines, before a thread runs them.
        "worker_class": "bot.front.BufferingWorker",
        "threads": web.threads,
        "worker_connections": MAX_CONNECTIONS,
        "graceful_timeout": int(STOP_TIMEOUT_SECONDS),
        # A worker is replaced after this many answers, give or take a tenth, so that two
        # workers are not replaced at once.
        "max_requests": web.max_requests,
        "max_requests_jitter": web.max_requests // 10,
        "timeout": 30,
        "keepalive": 5,
        "accesslog": None,  # bot.web logs each Slack request itself, without secrets
        # gunicorn's control socket has one fixed path per user: two servers on one host
        # (two apps, or a test beside a running bot) would take it from each other.
        "control_socket_disable": True,
    }
