"""The platform files run the same commands as the Procfile, and ask for variables that exist."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import yaml

from bot.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent.parent
DESIGN_VARIABLES = {
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "DATABASE_URL",
    "FACTS_FILE",
    "NEWSBOT_TEAM_ID",
    "NEWSBOT_EDITORS",
    "NEWSBOT_SCHEDULER",
    "NEWSBOT_CATCHUP",
    "NEWSBOT_HEALTH_TOKEN",
    "NEWSBOT_ALLOW_SQLITE",
    "DATABASE_POOL_SIZE",
    "PORT",
    "WEB_CONCURRENCY",
    "WEB_THREADS",
    "WEB_MAX_REQUESTS",
    "LOG_LEVEL",
    "LOG_FORMAT",
}


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in lines if line)}


def newsbot_command(line: str) -> str:
    words = line.split()
    words = words[1:] if words[0] == "exec" else words
    assert words[0] == "newsbot", line
    return " ".join(words)


def test_procfile_lines_are_newsbot_subcommands_that_exist() -> None:
    lines = procfile()
    assert set(lines) == {"web", "worker", "release"}
    for line in lines.values():
        words = newsbot_command(line).split()[1:]
        assert build_parser().parse_args(words).command == words[0]  # argparse exits if unknown


def test_render_and_fly_run_what_the_procfile_runs() -> None:
    lines = {k: newsbot_command(v) for k, v in procfile().items()}
    render = yaml.safe_load((ROOT / "render.yaml").read_text())
    web = next(s for s in render["services"] if s["type"] == "web")
    cron = next(s for s in render["services"] if s["type"] == "cron")
    assert web["startCommand"] == lines["web"] and web["preDeployCommand"] == lines["release"]
    assert web["healthCheckPath"] == "/healthz"
    assert cron["startCommand"] == "newsbot post-due"
    fly = tomllib.loads((ROOT / "fly.toml").read_text())
    assert fly["processes"]["web"] == lines["web"]
    assert fly["deploy"]["release_command"] == lines["release"]
    assert fly["env"]["PORT"] == str(fly["http_service"]["internal_port"])


def test_platform_files_only_set_variables_newsbot_reads() -> None:
    app = json.loads((ROOT / "app.json").read_text())
    render = yaml.safe_load((ROOT / "render.yaml").read_text())
    render_keys = {v["key"] for s in render["services"] for v in s.get("envVars", [])}
    fly_keys = set(tomllib.loads((ROOT / "fly.toml").read_text())["env"])
    for keys in (set(app["env"]), render_keys, fly_keys):
        assert keys <= DESIGN_VARIABLES, keys - DESIGN_VARIABLES
    assert {"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"} <= {
        k for k, v in app["env"].items() if v.get("required")
    }
