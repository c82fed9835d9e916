"""One convention for every command's ``main()``: help, the one-line error and the exit status.

Every entry point (``python -m sim.sweep``, ``python -m experiments.<name>``, the multirun
aggregate) wraps a plain function ``body(argv) -> int | None`` with :func:`command`::

    @command(__doc__)
    def main(argv: list[str]) -> int | None:
        ...

Exit status, the same everywhere (README "Exit status"):

====  ===========================================================================================
0     done
1     a run failed (or some runs of a study did; their errors are listed), or a worker died:
      what finished is kept, and rerunning the same command resumes where a command can
2     bad input: a key, a value, a path or a results file; one line ``error: ...`` on stderr,
      and nothing was run or written
130   interrupted (Ctrl-C); finished work is kept
====  ===========================================================================================
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable

OK, FAILED, BAD_INPUT, INTERRUPTED = 0, 1, 2, 130


class RunFailed(Exception):
    """A run (or some runs) failed after the input was accepted: exit status 1, one line."""


def error(message: object) -> None:
    """Print ``error: <message>`` as one line on stderr."""
    print(f"error: {' '.join(str(message).split())}", file=sys.stderr)


def status_of(exc: BaseException) -> int | None:
    """The exit status an exception stands for, or None for a bug (let it raise with a traceback)."""
    from sim.config.errors import ConfigError
    from sim.outputs.io import ResultsError
    from sim.study.storage import StudyError, StudyMismatch

    if isinstance(exc, KeyboardInterrupt):
        return INTERRUPTED
    if isinstance(exc, (ConfigError, ResultsError, StudyMismatch)):
        return BAD_INPUT
    if isinstance(exc, (RunFailed, StudyError)):
        return FAILED
    return None


def command(doc: str | None, interrupted: str = "interrupted: finished work is kept") -> Callable:
    """Wrap ``body(argv) -> int | None`` as ``main(argv=None) -> int`` with the shared convention.

    Args:
        doc: printed for ``-h``/``--help`` (the module docstring); None when the body parses
            its own options (argparse prints its help and exits 0, or 2 on a bad option).
        interrupted: the line printed on Ctrl-C (say how to resume where one can).
    """
    def wrap(body: Callable[[list[str]], int | None]) -> Callable[[list[str] | None], int]:
        @functools.wraps(body)
        def main(argv: list[str] | None = None) -> int:
            argv = sys.argv[1:] if argv is None else list(argv)
            if doc is not None and any(a in ("-h", "--help") for a in argv):
                print((doc or "").strip())
                return OK
            try:
                status = body(argv)
            except BaseException as exc:   # noqa: BLE001 - mapped to a status, or re-raised
                code = status_of(exc)
                if code is None:
                    raise
                if code == INTERRUPTED:
                    print(interrupted, file=sys.stderr)
                else:
                    error(exc)
                return code
            return OK if status is None else int(status)
        return main
    return wrap


def run(main: Callable[[], int]) -> None:
    """``sys.exit(main())``: the last line of every ``if __name__ == "__main__":`` block."""
    sys.exit(main())
