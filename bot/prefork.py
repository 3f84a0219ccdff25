"""Several worker processes on one listening socket (``partnerbot serve --workers N``).

Python runs one thread at a time per process, so one process uses one core however many threads
it has. The parent binds the socket, forks the workers — each serves it with its own threaded
waitress and its own database connections — and then only watches them: SIGTERM or SIGINT is
passed on to every worker (each finishes its in-flight requests), and a worker that dies on its
own is started again.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import time
from collections.abc import Callable
from types import FrameType

log = logging.getLogger(__name__)
# A worker failing this often in a minute is failing at start-up: stop instead of forking forever.
MOST_RESTARTS_PER_MINUTE = 10


def listen(host: str, port: int) -> socket.socket:
    """The listening socket every worker accepts on (bound before any worker starts)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    sock.setblocking(False)  # waitress's loop expects it
    return sock


def _exit_cleanly(_signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(0)


def _start(serve: Callable[[], int]) -> int:
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        for sig in (signal.SIGTERM, signal.SIGINT):
            # Stopped while still starting (nothing to finish yet): exit 0. Once serving, waitress's
            # own handler lets the requests in flight finish first.
            signal.signal(sig, _exit_cleanly)
        code = serve()
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 0
    except BaseException:
        log.exception("worker %d failed", os.getpid())
    finally:
        logging.shutdown()
        os._exit(code)


def run_workers(workers: int, serve: Callable[[], int], *, started: Callable[[], None] | None = None) -> int:
    """Fork ``workers`` processes running ``serve()``; return once all have stopped after SIGTERM
    or SIGINT (0 when every one stopped cleanly). ``started``: called in the parent once the
    workers run (e.g. to start the one digest scheduler there)."""
    stopping = False
    children: set[int] = set()

    def stop(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        log.info("received %s: stopping %d worker(s)", signal.Signals(signum).name, len(children))
        stopping = True
        for pid in list(children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    failed = False
    restarts: list[float] = []
    try:
        children.update(_start(serve) for _ in range(workers))
        log.info("serving with %d worker processes", workers)
        if started is not None:
            started()
        while children:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                break
            except InterruptedError:  # pragma: no cover (PEP 475 retries)
                continue
            children.discard(pid)
            code = os.waitstatus_to_exitcode(status)
            if stopping:
                failed = failed or code != 0
                continue
            log.error("worker %d stopped with %d; starting another", pid, code)
            now = time.monotonic()
            restarts = [t for t in restarts if now - t < 60] + [now]
            if len(restarts) > MOST_RESTARTS_PER_MINUTE:
                log.error("workers keep failing; stopping")
                stop(signal.SIGTERM, None)
                failed = True
                continue
            children.add(_start(serve))
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 1 if failed else 0
