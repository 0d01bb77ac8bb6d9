"""``newsbot serve`` as the CLI runs it, bound to 127.0.0.1 on a free port.

The same steps as ``bot.cli.run_server`` (settings from the environment, logging, the
compiled desk, ``bot.cli.serve_desk``) except the host: the CLI binds 0.0.0.0 for a
platform's router, the benchmark needs loopback only.
"""

from __future__ import annotations

import os
import sys

from bot.cli import desk_to_serve, serve_desk
from bot.config import Settings
from bot.logs import configure


def main() -> int:
    settings = Settings.from_env(os.environ)
    configure(
        settings.log_level,
        settings.log_format,
        secrets=(settings.slack_bot_token, settings.slack_signing_secret, settings.slack_app_token),
    )
    live = desk_to_serve(settings, sys.stderr)
    if live is None:
        return 1
    return serve_desk(settings, live, host="127.0.0.1")


if __name__ == "__main__":
    sys.exit(main())
