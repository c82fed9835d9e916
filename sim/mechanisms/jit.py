"""The compiler of the monthly kernels: numba's ``njit``, cached on disk.

The kernels are loops over a few dozen plants, buyers and sellers and three origin classes,
where numpy's cost per call dwarfs the arithmetic; compiled, a month's production or ex-China
allocation is one call. Each kernel compiles on its first call and is cached beside its
module (``__pycache__``), so a machine pays the compilation once and a worker process only
loads it. ``NUMBA_DISABLE_JIT=1`` runs the same functions as plain Python (for debuggers and
coverage), at about a hundredth of the speed.

For developers: numba's cache checks only the calling kernel's own source file. After editing a
kernel that kernels in other files call, delete ``sim/mechanisms/__pycache__/*.nb[ic]``.
"""

from __future__ import annotations

import numba

# error_model="numpy": a division by zero gives inf or nan as numpy does, instead of a
# Python exception (every division here is guarded; the checks would only cost time).
kernel = numba.njit(cache=True, nogil=True, error_model="numpy")
