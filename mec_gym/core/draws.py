"""Per-env draws for a batch of envs, in one compiled loop over the envs when numba is installed.

Env i draws from its own generator exactly what NumPy's Generator methods would draw, in the same
order, and leaves the generator where they would leave it. NumPy costs one call per env and
distribution; with numba (``pip install mec-gym[fast]``) one compiled call serves the batch, on
the same bit generators. The compiled loop is used only after it has matched NumPy's draws in this
process, and for a set of generators seen twice in a row (it keeps a typed list of them, which costs
more to build than a few steps of NumPy calls).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

_kernel = None  # the compiled kernel once loaded and checked, False when unavailable
_typed: dict[tuple, tuple] = {}  # ids of a batch's generators -> (the generators, numba's typed list of them)
_TYPED_KEPT = 4  # batches of generators remembered (a few vector envs stepping in turn)
_last_missed: list = [None]


def normals_then_exponentials(rngs: Sequence[np.random.Generator], normals: np.ndarray, exponentials: np.ndarray) -> None:
    """For each env i in turn: ``rngs[i].standard_normal(out=normals[i])``, then
    ``rngs[i].standard_exponential(out=exponentials[i])`` (C-contiguous float64 arrays with a
    leading env axis of len(rngs))."""
    generators = _typed_generators(rngs) if len(rngs) > 1 else None
    if generators is None:
        for rng, normal, exponential in zip(rngs, normals, exponentials):
            rng.standard_normal(out=normal)
            rng.standard_exponential(out=exponential)
        return
    _kernel(generators, normals.reshape(len(rngs), -1), exponentials.reshape(len(rngs), -1))


def _typed_generators(rngs):
    """numba's typed list of these generators, or None (no kernel, or not asked for twice in a row)."""
    if (_kernel if _kernel is not None else _load_kernel()) is False:
        return None
    key = tuple(map(id, rngs))
    entry = _typed.get(key)
    if entry is not None:  # the entry holds the generators, so their ids stay theirs
        return entry[1]
    if _last_missed[0] != key:
        _last_missed[0] = key
        return None
    from numba.typed import List

    if len(_typed) >= _TYPED_KEPT:
        _typed.pop(next(iter(_typed)))
    _typed[key] = (list(rngs), List(rngs))
    return _typed[key][1]


def implementation() -> str:
    """What runs in this process: "numba <version>" or "NumPy"."""
    if (_kernel if _kernel is not None else _load_kernel()) is False:
        return "NumPy"
    import numba

    return f"numba {numba.__version__}"


def _load_kernel():
    global _kernel
    try:
        from numba.typed import List

        from mec_gym.core._draws_compiled import normals_then_exponentials_into
    except ImportError:  # numba is optional
        _kernel = False
        return _kernel
    _kernel = normals_then_exponentials_into if _agrees_with_numpy(normals_then_exponentials_into, List) else False
    return _kernel


def _agrees_with_numpy(kernel, typed_list) -> bool:
    """The kernel's draws and generator states against NumPy's, from the same seeds."""
    compiled = [np.random.default_rng(seed) for seed in range(4)]
    reference = [np.random.default_rng(seed) for seed in range(4)]
    normals, exponentials = np.empty((4, 3000)), np.empty((4, 3000))
    kernel(typed_list(compiled), normals, exponentials)
    for rng, generator, normal, exponential in zip(reference, compiled, normals, exponentials):
        if not (np.array_equal(normal, rng.standard_normal(3000)) and np.array_equal(exponential, rng.standard_exponential(3000))
                and rng.bit_generator.state == generator.bit_generator.state):
            return False
    return True
