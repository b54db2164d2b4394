"""Progress on stderr for long exports (never in the export itself)."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import TextIO


@dataclass
class Progress:
    """Counts mentions and reports at most every ``interval`` seconds."""

    total: int
    label: str = "exported"
    stream: TextIO = field(default_factory=lambda: sys.stderr)
    interval: float = 0.5
    done: int = 0
    _last: float = field(default=0.0, repr=False)

    def tick(self, n: int = 1) -> None:
        before = self.done
        self.done += n
        if before >> 10 != self.done >> 10:  # look at the clock every 1,024 mentions
            now = time.monotonic()
            if now - self._last >= self.interval:
                self._last = now
                self._emit(end="\r" if self.stream.isatty() else "\n")

    def finish(self) -> None:
        self._emit(end="\n")

    def _emit(self, end: str) -> None:
        pct = f" ({100 * self.done / self.total:.0f}%)" if self.total else ""
        self.stream.write(f"{self.label} {self.done:,}/{self.total:,} mentions{pct}{end}")
        self.stream.flush()
