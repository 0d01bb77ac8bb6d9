"""Socket Mode (``newsbot socket``): the same runtime as HTTP mode, over Slack's WebSocket.

"connected" is logged only once Slack has said hello; a worker that cannot connect tries a
counted number of times and exits 1, so that the platform restarts it and shows it failing.
SIGTERM or SIGINT: requests in flight are answered, then everything stops within 10 s.
"""

from __future__ import annotations

import json
import logging
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.socket_mode.internals import run_bolt_app, send_response
from slack_sdk import WebClient
from slack_sdk.socket_mode.client import BaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest

from bot.config import Settings
from bot.desk.model import Desk
from bot.live_desk import LiveDesk
from bot.logs import shutdown_logging
from bot.runtime import Runtime, start_runtime
from bot.slack.client import make_client
from bot.socket_reload import SocketDeskSwap

logger = logging.getLogger(__name__)

SOCKET_DRAIN_SECONDS = 2.0  # Socket Mode requests in flight (they answer in milliseconds)
SOCKET_CLOSE_SECONDS = 1.0  # beyond the runtime's stop, for the WebSocket to close


class _LoggedSocketModeHandler(SocketModeHandler):
    """Bolt's handler, plus one log line per request and a count of requests in flight.

    A live edit (bot.socket_reload) switches the app; each request runs wholly on the app it
    began with, and is counted under that app's generation until it is answered.
    """

    def __init__(self, app: App, app_token: str, web_client: WebClient) -> None:
        super().__init__(app, app_token=app_token, web_client=web_client)
        self._generation = 0
        self._in_flight: Counter[int] = Counter()  # by generation; none left: no key
        self._idle = threading.Condition()

    def switch_app(self, runtime: Runtime) -> int:
        """Requests from now on go to ``runtime``'s app; the new generation."""
        with self._idle:
            self.app = runtime.app
            self._generation += 1
            return self._generation

    def drain_before(self, generation: int, timeout: float) -> bool:
        """Wait until no request begun before ``generation`` is being handled."""
        with self._idle:
            return self._idle.wait_for(
                lambda: all(g >= generation for g in self._in_flight), timeout
            )

    def handle(self, client: BaseSocketModeClient, req: SocketModeRequest) -> None:
        from bot.request_ids import REQUEST_ID, new_request_id
        from bot.web import log_slack_request

        started = time.perf_counter()
        request_id = new_request_id()
        token = REQUEST_ID.set(request_id)
        status = 500
        with self._idle:
            app, generation = self.app, self._generation
            self._in_flight[generation] += 1
        try:
            response = run_bolt_app(app, req)
            status = response.status
            send_response(client, req, response, started)
        finally:
            REQUEST_ID.reset(token)
            with self._idle:
                self._in_flight[generation] -= 1
                if not self._in_flight[generation]:
                    del self._in_flight[generation]
                self._idle.notify_all()
            payload = req.payload if isinstance(req.payload, dict) else {}
            retry = "" if req.retry_attempt is None else str(req.retry_attempt)
            seconds = time.perf_counter() - started
            log_slack_request(request_id, "socket", payload, status, seconds, retry=retry)

    def drain(self, timeout: float) -> bool:
        """Wait until no request is being handled (its ack needs the connection still open)."""
        with self._idle:
            return self._idle.wait_for(lambda: not self._in_flight, timeout)


@dataclass(frozen=True)
class SocketPatience:
    """How long Socket Mode keeps trying before it exits 1 for the platform to restart it."""

    connect_attempts: int = 5  # in a row, at start
    hello_within: float = 10.0  # seconds for Slack's hello once the WebSocket is open
    retry_pause: float = 2.0  # before the second attempt; doubles, at most 30 s
    give_up_after: float = 300.0  # seconds without a connection once running
    check_every: float = 5.0


def run_socket(
    settings: Settings,
    desk: Desk,
    stop: threading.Event | None = None,
    patience: SocketPatience = SocketPatience(),
    watch_every: float | None = None,
) -> int:
    """Socket Mode until SIGTERM/SIGINT (or ``stop`` is set); returns the exit status.

    "connected" is logged only once Slack has said hello on the WebSocket: slack_sdk's
    connect() returns normally when the connection is refused. After
    ``patience.connect_attempts`` failed connects in a row, or ``patience.give_up_after``
    seconds without a connection later on, it logs why and returns 1, so that the platform
    restarts the worker and shows it crashing instead of it idling for ever.

    Live edits (bot.socket_reload): a changed desk file (looked at every ``watch_every``
    seconds, bot.live_desk's default when None) or a SIGHUP swaps in a sound, changed desk.
    """
    settings.require("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN")
    live = LiveDesk(desk.path, desk)
    swap = SocketDeskSwap(
        settings, live, start_runtime(settings, desk, "socket", None, live.version)
    )
    stop = stop if stop is not None else _stop_on_signals(swap.request)
    handler = _LoggedSocketModeHandler(
        swap.runtime.app,
        app_token=settings.slack_app_token or "",
        web_client=make_client(settings, token=settings.slack_app_token),
    )
    swap.start(handler, watch_every)
    hello = threading.Event()
    handler.client.on_message_listeners.append(lambda raw: _note_hello(raw, hello))
    failure = _connect_until_hello(handler, hello, stop, patience)
    if failure is None and not stop.is_set():
        logger.info("connected in Socket Mode")
        failure = _watch_connection(handler, stop, patience)
    if not handler.drain(SOCKET_DRAIN_SECONDS):
        logger.warning(
            "requests still in flight after %.0fs; Slack will retry them", SOCKET_DRAIN_SECONDS
        )
    # slack_sdk's close waits for its reader's 3 s receive timeout: close the connection
    # while the runtime stops, instead of one after the other.
    closing = threading.Thread(target=handler.close, name="newsbot-close", daemon=True)
    closing.start()
    runtime = swap.stop()  # the runtime serving now, after any reload
    runtime.stop()
    closing.join(SOCKET_CLOSE_SECONDS)
    if failure is not None:
        logger.error("Socket Mode: %s; exiting so that the platform restarts the worker", failure)
    shutdown_logging()
    return 1 if failure is not None else 0


def _note_hello(raw: str, hello: threading.Event) -> None:
    if '"hello"' in raw:
        try:
            if json.loads(raw).get("type") == "hello":
                hello.set()
        except (ValueError, AttributeError):
            return


def _connect_until_hello(
    handler: SocketModeHandler,
    hello: threading.Event,
    stop: threading.Event,
    patience: SocketPatience,
) -> str | None:
    """None once Slack said hello (or a stop was asked for); else why it never did."""
    from slack_sdk.errors import SlackApiError

    client = handler.client
    client.default_auto_reconnect_enabled = False  # we count the attempts ourselves
    pause, reason = patience.retry_pause, "no attempt made"
    for attempt in range(1, patience.connect_attempts + 1):
        try:
            client.connect() if attempt == 1 else client.connect_to_new_endpoint(force=True)
        except (SlackApiError, OSError) as error:
            reason = f"Slack refused to open a connection ({_api_error(error)})"
        else:
            if not client.is_connected():
                reason = "the WebSocket connection failed"
            elif hello.wait(patience.hello_within):
                client.default_auto_reconnect_enabled = client.auto_reconnect_enabled = True
                return None
            else:
                reason = f"Slack said no hello within {patience.hello_within:.0f}s"
        logger.warning(
            "Socket Mode attempt %d of %d: %s", attempt, patience.connect_attempts, reason
        )
        if stop.wait(pause if attempt < patience.connect_attempts else 0):
            return None
        pause = min(pause * 2, 30.0)
    return (
        f"no connection after {patience.connect_attempts} attempts ({reason}); "
        "check SLACK_APP_TOKEN and that this host can reach Slack"
    )


def _watch_connection(
    handler: SocketModeHandler, stop: threading.Event, patience: SocketPatience
) -> str | None:
    """Wait for a stop; slack_sdk reconnects by itself, but not for ever."""
    lost_since: float | None = None
    while not stop.wait(patience.check_every):
        if handler.client.is_connected():
            lost_since = None
            continue
        now = time.monotonic()
        lost_since = lost_since if lost_since is not None else now
        if now - lost_since > patience.give_up_after:
            return f"no connection to Slack for {patience.give_up_after:.0f}s"
    return None


def _api_error(error: Exception) -> str:
    if hasattr(error, "response"):
        return str(error.response.get("error", "unknown error"))
    return type(error).__name__


def _stop_on_signals(reload: Callable[[], None]) -> threading.Event:
    """SIGTERM and SIGINT stop; SIGHUP reloads the desk."""
    stop = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        logger.info("received %s, stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGHUP, lambda _signum, _frame: reload())
    return stop
