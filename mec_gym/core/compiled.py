"""Optional compiled twins (numba): loaded once per process, used only once they match their reference.

A compiled twin gives the same numbers as the NumPy / scipy / Python code it stands for, faster.
``load_checked`` imports it and checks it against that reference; any failure (numba missing,
unable to compile or cache, or a mismatch) leaves the reference in charge, with a warning unless
numba is simply not installed.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any


def load_checked(load: Callable[[], Any], agrees: Callable[[Any], bool], what: str) -> Any | None:
    """``load()`` (importing the compiled module) if numba is installed and ``agrees(loaded)``;
    else None (with a RuntimeWarning naming ``what`` when numba is there but the twin is not usable)."""
    try:
        import numba  # noqa: F401
    except ImportError:  # numba is optional
        return None
    try:  # numba present but unable to compile or cache here (an old numba, a read-only install...)
        loaded = load()
        agree = agrees(loaded)
    except Exception as error:  # noqa: BLE001 - any failure means: use the reference
        agree, reason = False, f"it failed to run ({type(error).__name__}: {error})"
    else:
        reason = "it differs from its reference on this machine"
    if agree:
        return loaded
    warnings.warn(f"mec_gym: not using the compiled {what}: {reason}", RuntimeWarning, stacklevel=4)
    return None


def numba_version() -> str:
    """"numba <version>" (for a report of what ran)."""
    import numba

    return f"numba {numba.__version__}"
