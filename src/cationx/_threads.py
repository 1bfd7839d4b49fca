"""The process's thread pool for NumPy/SciPy work, and a reference-counted BLAS limit.

NumPy's ufuncs, SciPy's FFTs and matrix products release the GIL, so independent blocks of
work run side by side on threads (:func:`map_threads`).  While they do, BLAS's own threads
are limited to one (:class:`SingleThreadedBlas`): BLAS threads spin-wait and collapse on a
busy machine when several callers each start their own.  The limit is reference counted, so
overlapping calls from several threads cannot leave the process limited.  The pool (one
thread per core) and threadpoolctl's library discovery are set up once per process, on first
use.
"""

from __future__ import annotations

import os
import threading
from typing import Any

__all__ = ["SingleThreadedBlas", "map_threads"]

_CONTROLLER: Any = None
_POOL: Any = None
_BLAS_LOCK = threading.Lock()
_BLAS_USERS = 0
_BLAS_LIMITER: Any = None


def _setup_threads() -> None:
    """threadpoolctl's controller and the pool, once per process."""
    global _CONTROLLER, _POOL
    with _BLAS_LOCK:
        if _CONTROLLER is None:
            from threadpoolctl import ThreadpoolController

            _CONTROLLER = ThreadpoolController()  # library discovery once per process
        if _POOL is None:
            from concurrent.futures import ThreadPoolExecutor

            _POOL = ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="cationx")


class SingleThreadedBlas:
    """BLAS limited to one thread while any caller needs it; the original limits come back
    when the last one leaves (a reference count, so overlapping calls from several threads
    cannot leave the process limited)."""

    def __enter__(self) -> None:
        global _BLAS_USERS, _BLAS_LIMITER
        if _CONTROLLER is None:
            _setup_threads()
        with _BLAS_LOCK:
            if _BLAS_USERS == 0:
                _BLAS_LIMITER = _CONTROLLER.limit(limits=1, user_api="blas")
            _BLAS_USERS += 1

    def __exit__(self, *exc: object) -> None:
        global _BLAS_USERS, _BLAS_LIMITER
        with _BLAS_LOCK:
            _BLAS_USERS -= 1
            if _BLAS_USERS == 0:
                _BLAS_LIMITER.restore_original_limits()
                _BLAS_LIMITER = None


def map_threads(fn: Any, items: Any, threads: int | None = None) -> list[Any]:
    """``[fn(i) for i in items]`` on up to ``threads`` threads (default one per core), each
    with single-threaded BLAS, in a pool kept for the process; results in item order.

    NumPy, SciPy's FFTs and matrix products release the GIL, so items run side by side;
    BLAS's own threads are limited to one (they spin-wait and collapse on a busy machine).
    """
    items = list(items)
    n = min(len(items), os.cpu_count() or 1, threads or os.cpu_count() or 1)
    if n <= 1:
        return [fn(i) for i in items]
    _setup_threads()
    with SingleThreadedBlas():
        if n >= len(items):
            return list(_POOL.map(fn, items))
        # n threads over more items: each thread takes every n-th item
        parts = list(_POOL.map(lambda j: [fn(i) for i in items[j::n]], range(n)))
        out: list[Any] = [None] * len(items)
        for j, part in enumerate(parts):
            out[j::n] = part
        return out
