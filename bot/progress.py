"""Progress bars on the terminal for the CLI's long runs (backup, restore, import, export).

tqdm draws them on standard error, only when standard error is a terminal: a script, a cron job or
a pipe gets the command's one-line result and nothing else.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

from tqdm import tqdm


def on_terminal(stream: IO[str] | None = None) -> bool:
    stream = sys.stderr if stream is None else stream
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a replaced or closed stream
        return False


class TerminalProgress:
    """A ``storage.backup_file.Progress``: one bar per step, replaced when the step changes."""

    def __init__(self, *, enabled: bool | None = None) -> None:
        self.enabled = on_terminal() if enabled is None else enabled
        self._bar: Any = None
        self._step: str | None = None

    def __call__(self, step: str, done: int, total: int | None) -> None:
        if not self.enabled:
            return
        if step != self._step:
            self.close()
            self._step = step
            self._bar = tqdm(
                total=total, desc=step, unit="", leave=False, file=sys.stderr, dynamic_ncols=True
            )
        if total is not None and self._bar.total != total:
            self._bar.total = total  # SQLite's page count grows while the app writes
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


@contextmanager
def progress_bars() -> Iterator[TerminalProgress]:
    """Bars for the duration of a command, cleared from the terminal when it ends."""
    progress = TerminalProgress()
    try:
        yield progress
    finally:
        progress.close()


class CountingLines:
    """A text source read line by line that reports the bytes read so far (an import's progress
    against the file's size)."""

    def __init__(self, source: IO[str], progress: TerminalProgress, total: int | None) -> None:
        self.source = source
        self.progress = progress
        self.total = total
        self.read = 0

    def __iter__(self) -> CountingLines:
        return self

    def __next__(self) -> str:
        line = next(self.source)
        self.read += len(line.encode("utf-8", "surrogatepass"))
        self.progress("reading", self.read, self.total)
        return line
