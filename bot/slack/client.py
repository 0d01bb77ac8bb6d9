"""The Web API client every Slack call goes through: one base URL, one timeout, retries."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.handler import RetryHandler

from bot.config import Settings

# Slack answers in well under a second; a stuck connection must not hold a worker thread
# for slack_sdk's default 30 s.
API_TIMEOUT_SECONDS = 10


def retry_handlers() -> list[RetryHandler]:
    """429 (waiting as long as Retry-After says), 5xx and dropped connections, twice each."""
    backoff = BackoffRetryIntervalCalculator(backoff_factor=0.25)
    return [
        RateLimitErrorRetryHandler(max_retry_count=2),
        ServerErrorRetryHandler(max_retry_count=2, interval_calculator=backoff),
        ConnectionErrorRetryHandler(max_retry_count=2, interval_calculator=backoff),
    ]


def make_client(
    settings: Settings, *, token: str | None = None, timeout: int = API_TIMEOUT_SECONDS
) -> WebClient:
    """A client for ``SLACK_API_URL`` with the bot token (or ``token``), retries, and a
    ``timeout`` in seconds that response_url posts use too."""
    return WebClient(
        token=token if token is not None else settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=timeout,
        retry_handlers=retry_handlers(),
    )


def without_blind_retries(client: WebClient) -> WebClient:
    """The same client for a post into a channel: it waits out a 429 (nothing was posted),
    but never resends after a 5xx or a dropped connection, when Slack may have posted it."""
    return WebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        retry_handlers=[
            h for h in client.retry_handlers if isinstance(h, RateLimitErrorRetryHandler)
        ],
    )
