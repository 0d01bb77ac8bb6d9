"""Running the Slack app: HTTP under gunicorn (``serve``) or Socket Mode (``run_socket``).

Both start the database and (unless NEWSBOT_SCHEDULER=off) the reminder scheduler, and
stop everything within 10 s of SIGTERM or SIGINT: Heroku allows 30 s, Kubernetes 30 s by
default, and a shorter bound leaves room for the platform's own bookkeeping.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from types import FrameType
from typing import TYPE_CHECKING, Any

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.socket_mode.internals import run_bolt_app, send_response
from slack_sdk import WebClient
from slack_sdk.socket_mode.client import BaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest

from bot.config import Settings, SettingsError
from bot.desk.model import Desk, FollowUpBook, describe_counts
from bot.logs import shutdown_logging
from bot.slack.bolt_app import build_app
from bot.slack.client import make_client

if TYPE_CHECKING:
    from wsgiref.types import WSGIApplication

    from bot.schedule.runner import ReminderScheduler
    from bot.store.db import Database

logger = logging.getLogger(__name__)

# Together well inside the 10 s promised in the module docstring.
STOP_TIMEOUT_SECONDS = 8.0  # gunicorn's graceful_timeout: workers still busy then are killed
RUNTIME_STOP_SECONDS = 5.0  # work after ack, then the scheduler's delivery in flight
SOCKET_DRAIN_SECONDS = 2.0  # Socket Mode requests in flight (they answer in milliseconds)
SOCKET_CLOSE_SECONDS = 1.0  # beyond the runtime's stop, for the WebSocket to close
LAZY_WORKERS = 5  # Bolt's own default for work after ack
DEFAULT_THREADS = 8


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
    _stopped: threading.Event = field(default_factory=threading.Event)

    def next_runs(self) -> Mapping[str, datetime]:
        return self.scheduler.next_runs() if self.scheduler is not None else {}

    def health(self) -> tuple[int, dict[str, Any]]:
        """/healthz: what an operator checks first. No secrets: the URL is redacted."""
        reachable = self.database.ping()
        last: object = None
        if reachable:
            try:
                last = self.database.ledger().last_outcome()
            except Exception:  # a health check must answer whatever the driver throws
                logger.warning("could not read the delivery ledger for /healthz")
        data = {
            "status": "ok" if reachable else "database unreachable",
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


def start_runtime(settings: Settings, desk: Desk, mode: str = "http") -> Runtime:
    """Open the database, build the app, start the scheduler (unless switched off)."""
    from bot.replies.router import Router
    from bot.store.db import ANSWER_WITHIN_S, Database

    database = Database(settings.database_url)
    database.create_schema()
    book = database.book(answer_within=ANSWER_WITHIN_S)
    client = make_client(settings)
    scheduler: ReminderScheduler | None = None
    if settings.scheduler:
        from bot.schedule.runner import start_scheduler

        scheduler = start_scheduler(settings, desk, database, client)
    router = Router(desk, book, editors=settings.editors)

    def next_runs() -> Mapping[str, datetime]:
        return scheduler.next_runs() if scheduler is not None else {}

    lazy_work = ThreadPoolExecutor(max_workers=LAZY_WORKERS, thread_name_prefix="newsbot-lazy")
    app = build_app(
        settings, desk, book, client, router, next_runs=next_runs, listener_executor=lazy_work
    )
    runtime = Runtime(settings, desk, database, client, app, lazy_work, scheduler)
    runtime.corrections = apply_corrections_for(desk, database, book, client)
    fields = startup_fields(mode, desk, database, scheduler is not None, runtime.next_runs())
    logger.info(startup_message(fields), extra=fields)
    return runtime


def apply_corrections_for(
    desk: Desk, database: Database, book: FollowUpBook, client: WebClient
) -> threading.Thread:
    """A desk was loaded: messages citing what changed in it are corrected (in the background)."""
    from bot.corrections import correct_in_background
    from bot.slack.services import utc_now

    return correct_in_background(desk, database.said(), book, client, utc_now)


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
        else "no reminder posts from this process"
        if not fields["scheduler"]
        else "no reminder due"
    )
    return f"started in {fields['mode']} mode: {counts}; {fields['database']} database; {upcoming}"


# --- HTTP ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class WebOptions:
    workers: int = 1
    threads: int = DEFAULT_THREADS

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> WebOptions:
        """WEB_CONCURRENCY (processes, as Heroku sets it) and WEB_THREADS (per process)."""
        return cls(
            workers=_positive(environ, "WEB_CONCURRENCY", 1),
            threads=_positive(environ, "WEB_THREADS", DEFAULT_THREADS),
        )


def _positive(environ: Mapping[str, str], name: str, default: int) -> int:
    text = environ.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or int(text) < 1:
        raise SettingsError(f"{name}={text!r}: use a whole number of 1 or more")
    return int(text)


def serve(
    settings: Settings,
    desk: Desk,
    port: int,
    environ: Mapping[str, str] | None = None,
    host: str = "0.0.0.0",  # noqa: S104 - a platform's router reaches the dyno from outside
) -> int:
    """HTTP mode under gunicorn (gthread workers); returns the exit status.

    On SIGTERM gunicorn stops accepting, lets each worker finish its requests, then runs
    ``worker_exit`` (work after ack, scheduler, database) and exits 0; a worker still busy
    after STOP_TIMEOUT_SECONDS is killed, so the whole stop stays inside 10 s.
    """
    from bot.web import make_wsgi_handler

    settings.require("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
    # Checked before gunicorn is imported: its config module reads WEB_CONCURRENCY with int()
    # at import time and would answer a typo with a traceback.
    web = WebOptions.from_env(os.environ if environ is None else environ)
    from bot.gunicorn_runner import GunicornLogs, run_gunicorn

    runtimes: list[Runtime] = []

    def load_app() -> WSGIApplication:
        runtime = start_runtime(settings, desk, "http")
        runtimes.append(runtime)
        return make_wsgi_handler(settings, runtime.app, runtime.health)

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
    return run_gunicorn(load_app, options)


def gunicorn_options(web: WebOptions, host: str, port: int) -> dict[str, Any]:
    """How ``newsbot serve`` runs gunicorn; the benchmark serves its baseline the same way."""
    return {
        "bind": f"{host}:{port}",
        "workers": web.workers,
        "worker_class": "gthread",
        "threads": web.threads,
        "graceful_timeout": int(STOP_TIMEOUT_SECONDS),
        "timeout": 30,
        "keepalive": 5,
        "accesslog": None,  # bot.web logs each Slack request itself, without secrets
        # gunicorn's control socket has one fixed path per user: two servers on one host
        # (two apps, or a test beside a running bot) would take it from each other.
        "control_socket_disable": True,
    }


# --- Socket Mode --------------------------------------------------------------------------


class _LoggedSocketModeHandler(SocketModeHandler):
    """Bolt's handler, plus one log line per request and a count of requests in flight."""

    def __init__(self, app: App, app_token: str, web_client: WebClient) -> None:
        super().__init__(app, app_token=app_token, web_client=web_client)
        self._in_flight = 0
        self._idle = threading.Condition()

    def handle(self, client: BaseSocketModeClient, req: SocketModeRequest) -> None:
        from bot.request_ids import REQUEST_ID, new_request_id
        from bot.web import log_slack_request

        started = time.perf_counter()
        request_id = new_request_id()
        token = REQUEST_ID.set(request_id)
        status = 500
        with self._idle:
            self._in_flight += 1
        try:
            response = run_bolt_app(self.app, req)
            status = response.status
            send_response(client, req, response, started)
        finally:
            REQUEST_ID.reset(token)
            with self._idle:
                self._in_flight -= 1
                self._idle.notify_all()
            payload = req.payload if isinstance(req.payload, dict) else {}
            retry = "" if req.retry_attempt is None else str(req.retry_attempt)
            seconds = time.perf_counter() - started
            log_slack_request(request_id, "socket", payload, status, seconds, retry=retry)

    def drain(self, timeout: float) -> bool:
        """Wait until no request is being handled (its ack needs the connection still open)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._in_flight == 0, timeout)


def run_socket(settings: Settings, desk: Desk, stop: threading.Event | None = None) -> int:
    """Socket Mode until SIGTERM/SIGINT (or ``stop`` is set); returns the exit status."""
    from slack_sdk.errors import SlackApiError

    settings.require("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN")
    stop = stop if stop is not None else _stop_on_signals()
    runtime = start_runtime(settings, desk, "socket")
    handler = _LoggedSocketModeHandler(
        runtime.app,
        app_token=settings.slack_app_token or "",
        web_client=make_client(settings, token=settings.slack_app_token),
    )
    try:
        handler.connect()  # type: ignore[no-untyped-call]
    except (SlackApiError, OSError) as error:
        logger.error("could not open a Socket Mode connection: %s", _api_error(error))
        runtime.stop()
        return 1
    logger.info("connected in Socket Mode")
    stop.wait()
    if not handler.drain(SOCKET_DRAIN_SECONDS):
        logger.warning(
            "requests still in flight after %.0fs; Slack will retry them", SOCKET_DRAIN_SECONDS
        )
    # slack_sdk's close waits for its reader's 3 s receive timeout: close the connection
    # while the runtime stops, instead of one after the other.
    closing = threading.Thread(target=handler.close, name="newsbot-close", daemon=True)
    closing.start()
    runtime.stop()
    closing.join(SOCKET_CLOSE_SECONDS)
    shutdown_logging()
    return 0


def _api_error(error: Exception) -> str:
    if hasattr(error, "response"):
        return str(error.response.get("error", "unknown error"))
    return type(error).__name__


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        logger.info("received %s, stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    return stop
