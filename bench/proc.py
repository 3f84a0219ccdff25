"""Processes the benchmarks start: the ``partnerbot`` CLI, ``partnerbot serve``, the bare-ack app,
py-spy; and what /proc says about them (RSS, peak RSS)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import requests

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
# Settings the app reads: set explicitly for each child, never inherited from our environment.
APP_ENV = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "DATABASE_URL",
    "PORT",
    "PARTNERBOT_ADMINS",
)


class BenchError(Exception):
    """A benchmark step could not be done; the message says why."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def child_env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in APP_ENV}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env["PYTHONUNBUFFERED"] = "1"
    env.update(values)
    return env


# --- /proc ---------------------------------------------------------------------------------------


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak RSS) of ``pid`` in bytes; empty when the process is gone."""
    found: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    found[key] = int(value.split()[0]) * 1024
    except OSError:
        pass
    return found


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time ``pid`` has used so far (all its threads), from /proc/<pid>/stat."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def family(pid: int) -> list[int]:
    """``pid`` and its child processes (the workers of ``serve --workers N``)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            return [pid, *(int(child) for child in children.read().split())]
    except OSError:
        return [pid]


def family_cpu_seconds(pid: int) -> float | None:
    """CPU time of ``pid`` and its workers together."""
    times = [cpu_seconds(member) for member in family(pid)]
    return sum(t for t in times if t is not None) if any(t is not None for t in times) else None


def family_peaks(pid: int) -> dict[int, int]:
    """Peak RSS (VmHWM, bytes) of ``pid`` and of each of its workers."""
    return {member: proc_status(member).get("VmHWM", 0) for member in family(pid)}


def family_pss(pid: int) -> int | None:
    """Proportional set size of ``pid`` and its workers, in bytes: pages shared between them
    (inherited at the fork) counted once in all, as the machine's memory sees them."""
    total = 0
    for member in family(pid):
        try:
            with open(f"/proc/{member}/smaps_rollup") as rollup:
                for line in rollup:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
        except OSError:
            return None
    return total


def reset_family_peaks(pid: int) -> bool:
    return all([reset_peak(member) for member in family(pid)])


def reset_peak(pid: int) -> bool:
    """Reset the kernel's peak-RSS mark of ``pid`` (``echo 5 > /proc/pid/clear_refs``, Linux ≥ 4.0)."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as refs:
            refs.write("5")
        return True
    except OSError:
        return False


# --- the CLI -------------------------------------------------------------------------------------


@dataclass
class CliRun:
    args: list[str]
    code: int
    seconds: float
    max_rss: int  # bytes, the child's peak RSS (VmHWM, polled every 50 ms)
    stdout: str
    stderr: str


def run_cli(database_url: str, *args: str, timeout: float, stdout_path: Path | None = None) -> CliRun:
    """``python -m bot.cli <args>`` with DATABASE_URL set; timed wall clock, with the child's peak
    RSS. Killed after ``timeout`` seconds (then BenchError)."""
    command = [sys.executable, "-m", "bot.cli", *args]
    out: IO[str] | int
    out_file = open(stdout_path, "w") if stdout_path else None  # noqa: SIM115
    out = out_file if out_file else subprocess.PIPE
    started = time.perf_counter()
    proc = subprocess.Popen(
        command,
        cwd=ROOT,
        env=child_env(DATABASE_URL=database_url),
        stdout=out,
        stderr=subprocess.PIPE,
        text=True,
    )
    chunks: dict[str, str] = {"stdout": "", "stderr": ""}

    def drain(name: str, stream: IO[str] | None) -> None:
        if stream is not None:
            chunks[name] = stream.read()

    readers = [threading.Thread(target=drain, args=("stderr", proc.stderr), daemon=True)]
    if not out_file:
        readers.append(threading.Thread(target=drain, args=("stdout", proc.stdout), daemon=True))
    for reader in readers:
        reader.start()
    # The child's own peak RSS: VmHWM polled while it runs (wait4's ru_maxrss would also count
    # what the child inherited from this process at fork).
    high = {"rss": 0}
    finished = threading.Event()

    def watch() -> None:
        while not finished.wait(0.05):
            high["rss"] = max(high["rss"], proc_status(proc.pid).get("VmHWM", 0))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    timer = threading.Timer(timeout, lambda: proc.kill())
    timer.start()
    try:
        _, status, _usage = os.wait4(proc.pid, 0)
    finally:
        timer.cancel()
        finished.set()
        watcher.join(5)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    for reader in readers:
        reader.join(10)
    if out_file:
        out_file.close()
    run = CliRun(command[3:], proc.returncode, seconds, high["rss"], chunks["stdout"], chunks["stderr"])
    if seconds >= timeout:
        raise BenchError(f"partnerbot {' '.join(args)} did not finish within {timeout:.0f} s")
    if run.code != 0:
        tail = run.stderr.strip().splitlines()[-3:]
        raise BenchError(f"partnerbot {' '.join(args)} exited {run.code}: {' | '.join(tail)}")
    return run


# --- servers -------------------------------------------------------------------------------------


class Server:
    """A server subprocess (``partnerbot serve`` or the bare-ack app) logging to a file."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], log_path: Path) -> None:
        self.name = name
        self.command = command
        self.env = env
        self.port = int(env["PORT"])
        self.secret = env["SLACK_SIGNING_SECRET"]
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def events_url(self) -> str:
        return self.url + "/slack/events"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self, ready_timeout: float = 120.0) -> Server:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            self.command, cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + ready_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(
                    f"{self.name} exited with {self.proc.returncode} before it was ready: {self.log_tail()}"
                )
            try:
                if requests.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.kill()
        raise BenchError(f"{self.name} was not ready within {ready_timeout:.0f} s: {self.log_tail()}")

    def log_tail(self, lines: int = 5) -> str:
        try:
            text = self.log_path.read_text(errors="replace").strip().splitlines()
        except OSError:
            return ""
        return " | ".join(text[-lines:])

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout: float = 20.0) -> int | None:
        """SIGTERM and wait; the exit status, or None if it had to be killed."""
        if self.proc is None:
            return None
        code: int | None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                code = self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                code = None
        else:
            code = self.proc.returncode
        if self._log:
            self._log.close()
            self._log = None
        return code

    def kill_hard(self) -> None:
        """SIGKILL the server and every worker at once: no process gets to finish anything."""
        if self.proc is None:
            return
        for member in family(self.proc.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(member, signal.SIGKILL)
        self.proc.wait(10)
        if self._log:
            self._log.close()
            self._log = None

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        if self._log:
            self._log.close()
            self._log = None


def partnerbot_server(
    database_url: str,
    api_url: str,
    secret: str,
    log_path: Path,
    *,
    workers: int = 1,
    audit: bool = True,
) -> Server:
    env = child_env(
        SLACK_BOT_TOKEN="xoxb-bench",
        SLACK_SIGNING_SECRET=secret,
        SLACK_API_URL=api_url,
        DATABASE_URL=database_url,
        PORT=str(free_port()),
    )
    # The request path alone, as a deployment's serve replicas run it (README: `partnerbot
    # scheduler` beside them). A fresh database's first score-history backfill would otherwise
    # run in the background of the timed requests: bench/history.py measures that on its own.
    # ``audit=False``: the same server with the audit trail switched off (bench/no_audit.py), to
    # measure what the trail costs.
    module = "bot.cli" if audit else "bench.no_audit"
    command = [sys.executable, "-m", module, "serve", "--host", "127.0.0.1", "--no-scheduler"]
    command += ["--workers", str(workers)]
    return Server("partnerbot serve" if audit else "partnerbot serve (no audit)", command, env, log_path)


def bare_server(api_url: str, secret: str, log_path: Path, *, workers: int = 1) -> Server:
    env = child_env(
        SLACK_SIGNING_SECRET=secret, SLACK_API_URL=api_url, PORT=str(free_port()), WORKERS=str(workers)
    )
    return Server("bare-ack app", [sys.executable, "-m", "bench.bare_app"], env, log_path)


# --- py-spy --------------------------------------------------------------------------------------


class Profiler:
    """``py-spy record`` attached to a running process, writing collapsed stacks (raw format)."""

    def __init__(
        self, pid: int, output: Path, *, rate: int = 200, max_seconds: int = 600, idle: bool = False
    ) -> None:
        self.output = output
        exe = VENV_BIN / "py-spy"
        self.command = [
            str(exe),
            "record",
            "--pid",
            str(pid),
            "--format",
            "raw",
            "--rate",
            str(rate),
            "--duration",
            str(max_seconds),
            "--output",
            str(output),
            "--nonblocking",
            "--threads",
        ]
        if idle:  # also samples threads that wait (for a lock, the disk, the network)
            self.command.append("--idle")
        self.proc: subprocess.Popen[bytes] | None = None
        self.error: str | None = None

    def start(self) -> Profiler:
        if not Path(self.command[0]).exists():
            self.error = "py-spy is not installed in the venv"
            return self
        self.output.parent.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(self.command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(1.0)  # let it attach
        if self.proc.poll() is not None:
            self.error = (self.proc.stderr.read().decode(errors="replace") if self.proc.stderr else "")[:300]
        return self

    def stop(self) -> Path | None:
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # py-spy writes its output on Ctrl-C
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        return self.output if self.output.exists() else None


def summarise_profile(path: Path, *, top: int = 25, within: str | None = None) -> list[str]:
    """The heaviest functions of a py-spy raw (collapsed stacks) file: inclusive and self share of
    the samples in which the process was busy (idle waits removed). ``within``: only stacks going
    through a frame containing this text."""
    inclusive: dict[str, int] = {}
    own: dict[str, int] = {}
    total = 0
    idle_markers = (
        "wait (threading.py",
        "select (selectors.py",
        "poll (selectors.py",
        "_worker (concurrent",
        "handler_thread (waitress",
        "acquire",
        "sleep",
    )
    # Frames every sample goes through (threads, executors, Bolt's runner): they say nothing.
    plumbing = ("threading.py", "concurrent/futures/", "slack_bolt/listener/", "waitress/", "<module>")
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        if within and not any(within in frame for frame in frames):
            continue
        leaf = frames[-1]
        if any(marker in leaf for marker in idle_markers):
            continue
        total += count
        own[leaf] = own.get(leaf, 0) + count
        for frame in set(frames[1:]):
            if not any(p in frame for p in plumbing):
                inclusive[frame] = inclusive.get(frame, 0) + count
    if not total:
        return ["(no busy samples)"]
    lines = [f"{total} busy samples"]
    lines.append("inclusive (function and what it calls):")
    for frame, count in sorted(inclusive.items(), key=lambda kv: -kv[1])[:top]:
        lines.append(f"  {100 * count / total:5.1f}%  {frame}")
    lines.append("self (time in the function itself):")
    for frame, count in sorted(own.items(), key=lambda kv: -kv[1])[: top // 2]:
        lines.append(f"  {100 * count / total:5.1f}%  {frame}")
    return lines
