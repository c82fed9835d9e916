"""Month arithmetic: the model counts whole months from a start month.

Config dates are ``"YYYY-MM"`` strings; inside the model a date is an integer month
index (0 = the run's start month), which keeps every mechanism a plain array operation.
"""

from __future__ import annotations

import re

import numpy as np

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
FIRST_MONTH, LAST_MONTH = "2000-01", "2099-12"   # the calendar a config may name: data start in 2010s,
                                                 # and dates must stay well inside numpy/pandas ranges


def parse_month(text: str) -> int:
    """Return an absolute month number (year * 12 + month - 1) for ``"YYYY-MM"``.

    Raises:
        ValueError: if ``text`` is not a valid ``YYYY-MM`` month.
    """
    match = _MONTH.match(str(text))
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"'{text}' is not a month in YYYY-MM form")
    return int(match.group(1)) * 12 + int(match.group(2)) - 1


def month_offset(text: str, start: str) -> int:
    """Months from ``start`` to ``text`` (negative when ``text`` is earlier)."""
    return parse_month(text) - parse_month(start)


def month_dates(start: str, months: int) -> np.ndarray:
    """First-of-month dates (``datetime64[D]``) for ``months`` steps from ``start``."""
    first = np.datetime64(f"{start}-01", "M")
    return (first + np.arange(months)).astype("datetime64[D]")
