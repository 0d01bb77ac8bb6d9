"""Server subprocesses under test: start, wait until they answer, read their memory, stop."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    log: Path
    started: float  # perf_counter() just before the process was started
    port: int = 0
    ready_after: float = 0.0  # seconds from start until it first answered
    _log_file: object = field(default=None, repr=False)

    def tree(self) -> list[int]:
        """The gunicorn master and its workers."""
        return [self.process.pid, *children_of(self.process.pid)]

    def workers(self) -> list[int]:
        return children_of(self.process.pid)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_tail(self, lines: int = 20) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def free_port() -> int:
    """A loopback port nobody listens on now. (Port 0 would be race-free, but gunicorn only
    reports the port it got at log level INFO, and the benchmark varies the level.)"""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(name: str, module: str, env: dict[str, str], log_dir: Path) -> Server:
    log = log_dir / f"{name}.log"
    port = free_port()
    with log.open("wb") as out:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", module],
            cwd=ROOT,
            # An empty value unsets the variable (the server's defaults then apply).
            env={k: v for k, v in {**os.environ, **env, "PORT": str(port)}.items() if v != ""},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return Server(name, process, log, started, port)


def wait_ready(server: Server, path: str, want: int | None, timeout: float = 30.0) -> Server:
    """Wait until ``path`` answers (``want``: with that status only)."""
    deadline = server.started + timeout
    while True:
        status = _status(server.port, path)
        if status is not None and (want is None or status == want):
            server.ready_after = time.perf_counter() - server.started
            return server
        if server.process.poll() is not None or time.perf_counter() > deadline:
            raise RuntimeError(f"{server.name} never answered {path}:\n{server.log_tail()}")
        time.sleep(0.002)


def wait_for_workers(server: Server, count: int, timeout: float = 30.0) -> None:
    """Wait until the master has forked ``count`` workers."""
    deadline = time.perf_counter() + timeout
    while len(children_of(server.process.pid)) < count:
        if server.process.poll() is not None or time.perf_counter() > deadline:
            raise RuntimeError(f"{server.name} never had {count} workers:\n{server.log_tail()}")
        time.sleep(0.01)


def _status(port: int, path: str) -> int | None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    except OSError:
        return None
    finally:
        connection.close()


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # Fields after the command name (which may hold spaces) start after the last ")".
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def _status_field(pid: int, name: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1])
    return 0


def rss_kb(pid: int) -> int:
    return _status_field(pid, "VmRSS")


def pss_kb(pid: int) -> int:
    """Proportional set size: pages shared after fork counted once across the tree."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")
