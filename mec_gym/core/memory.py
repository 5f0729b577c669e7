"""Keep freed heap memory for reuse across vector-env steps (glibc only).

A native vector env allocates and frees the same large temporaries (hundreds of kB each at B = 256)
in every step. glibc's malloc returns the freed top of the heap to the system once it exceeds a
small threshold, so the next step faults the same pages in again. ``keep_freed_heap`` raises the
padding glibc keeps at the top of the heap (``mallopt(M_TOP_PAD, ...)``, the setting behind the
``MALLOC_TOP_PAD_`` environment variable) once per process: the steps reuse their memory instead.
The cost is up to that much freed memory held by the process.

The environment variable ``MEC_GYM_MALLOC_TOP_PAD`` sets the padding in bytes (0 leaves malloc
alone); a ``MALLOC_TOP_PAD_`` set for glibc itself is left in charge. Elsewhere than glibc it does
nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

M_TOP_PAD = -2  # glibc's mallopt parameter number (malloc.h)
DEFAULT_TOP_PAD = 64 * 2**20  # bytes
ENV_VARIABLE = "MEC_GYM_MALLOC_TOP_PAD"

_applied: int | None = None  # the padding set in this process (bytes), once applied


def top_pad_bytes() -> int:
    """The padding asked for: ``MEC_GYM_MALLOC_TOP_PAD`` (bytes, >= 0) or the default."""
    value = os.environ.get(ENV_VARIABLE)
    if value is None:
        return DEFAULT_TOP_PAD
    try:
        size = int(value)
    except ValueError:
        size = -1
    if size < 0:
        raise ValueError(f"{ENV_VARIABLE} must be a whole number of bytes >= 0 (0: leave malloc alone); got {value!r}")
    return size


def keep_freed_heap() -> int:
    """Apply the padding once per process; returns the bytes in effect (0: malloc left alone)."""
    global _applied
    if _applied is not None:
        return _applied
    size = top_pad_bytes()
    _applied = 0
    if size == 0 or "MALLOC_TOP_PAD_" in os.environ:
        return _applied
    mallopt = _glibc_mallopt()
    if mallopt is not None and mallopt(M_TOP_PAD, min(size, 2**31 - 1)) == 1:
        _applied = size
    return _applied


def _glibc_mallopt():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
    if not hasattr(libc, "gnu_get_libc_version"):  # only glibc has it (and M_TOP_PAD's meaning)
        return None
    mallopt = libc.mallopt
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return mallopt
