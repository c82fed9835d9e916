"""``python -m sim.sweep study=NAME [key=value ...]``: the study runner (see :mod:`sim.runs.sweep`)."""

import sys

from sim.runs.sweep import main

if __name__ == "__main__":
    sys.exit(main())
