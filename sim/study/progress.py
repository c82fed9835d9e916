"""Progress of a study on stderr: runs done/total, runs per second and the time left."""

from __future__ import annotations

import math
import sys
import time


class Progress:
    """Runs done/total, runs/s and ETA on stderr: a tqdm bar on a terminal, else a line every 10 s."""

    def __init__(self, total: int, initial: int, label: str, enabled: bool = True):
        self.total, self.done, self.start, self.last = total, initial, time.perf_counter(), 0.0
        self.initial, self.label, self.bar = initial, label, None
        self.enabled = enabled
        if enabled and sys.stderr.isatty():
            from tqdm.auto import tqdm

            self.bar = tqdm(total=total, initial=initial, desc=label, unit="run", file=sys.stderr)

    def update(self, n: int) -> None:
        self.done += n
        if self.bar is not None:
            self.bar.update(n)
            return
        now = time.perf_counter()
        if self.enabled and (now - self.last >= 10 or self.done == self.total):
            self.last = now
            rate = (self.done - self.initial) / max(now - self.start, 1e-9)
            eta = (self.total - self.done) / rate if rate > 0 else math.inf
            eta_text = time.strftime("%H:%M:%S", time.gmtime(eta)) if math.isfinite(eta) else "?"
            print(f"{self.label}: {self.done}/{self.total} runs, {rate:.2f} runs/s, ETA {eta_text}",
                  file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
