"""Per-env draws for a batch of envs, in one compiled loop over the envs when numba is installed.

A draw program is a sequence of ops ``(kind, count)`` or ``("integers", count, low, high)`` (kind:
"standard_normal", "random", "standard_exponential", "integers" in [low, high)). Env i runs the
program on its own generator and gets exactly what the NumPy calls ``rng.<kind>(size=count)`` in
that order would give (integers as one call of that size), leaving the generator where they would
leave it. NumPy costs one call per env and op; with numba (``pip install mec-gym[fast]``) one
compiled call serves the batch, on the same bit generators. The compiled loop is used only after it
has matched NumPy's draws in this process, and for a batch of generators seen twice lately (it
keeps a typed list of them, which costs more to build than a few steps of NumPy calls).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from mec_gym.core.compiled import load_checked, numba_version

KINDS = ("standard_normal", "random", "standard_exponential", "integers")  # codes 0-3 of the compiled kernel
_kernel = None  # the compiled kernel once loaded and checked, False when unavailable
_typed: dict[tuple, tuple] = {}  # ids of a batch's generators -> (the generators, numba's typed list of them)
_TYPED_KEPT = 4  # batches of generators remembered (a few vector envs stepping in turn)
_recently_missed: list[tuple] = []  # keys asked for once lately (a typed list is built at the second ask)


def draw_per_env(rngs: Sequence[np.random.Generator], program: Sequence[tuple]) -> list[np.ndarray]:
    """One (B, count) float64 array per op of ``program`` (views into one block): row i holds env
    i's draws from ``rngs[i]``, the ops taken in order."""
    plan = _plan(tuple(program))
    out = np.empty((len(rngs), plan.total))
    generators = _typed_generators(rngs) if len(rngs) > 1 else None
    if generators is None:
        for rng, row in zip(rngs, out):
            for kind, (start, stop), bounds in zip(plan.kinds, plan.columns, plan.bounds):
                if bounds:
                    row[start:stop] = rng.integers(*bounds, size=stop - start)
                else:
                    getattr(rng, kind)(out=row[start:stop])
    else:
        _kernel(generators, *plan.encoded, out)
    return [out[:, start:stop] for start, stop in plan.columns]


class _Plan(NamedTuple):
    """A draw program checked and laid out: per op its kind, its columns [start, stop) of the block
    and its integer bounds (or ()); the block's width; the arrays the compiled kernel reads (kind
    codes of ``KINDS``, counts, lows, highs)."""

    kinds: tuple[str, ...]
    columns: tuple[tuple[int, int], ...]
    bounds: tuple[tuple, ...]
    total: int
    encoded: tuple[np.ndarray, ...]


@functools.lru_cache(maxsize=32)
def _plan(program: tuple) -> _Plan:
    columns, column = [], 0
    for kind, count, *bounds in program:
        if (kind == "integers") != bool(bounds) or kind not in KINDS:
            raise ValueError(f"draw program op must be (kind, count) with kind in {KINDS[:3]} or "
                             f"('integers', count, low, high); got {(kind, count, *bounds)!r}")
        columns.append((column, column + count))
        column += count
    kinds, bounds = tuple(op[0] for op in program), tuple(tuple(op[2:]) for op in program)
    encoded = tuple(np.array(values, dtype=np.int64) for values in (
        [KINDS.index(kind) for kind in kinds], [op[1] for op in program],
        [op[2] if op[2:] else 0 for op in program], [op[3] if op[2:] else 1 for op in program]))
    return _Plan(kinds, tuple(columns), bounds, column, encoded)


def _typed_generators(rngs):
    """numba's typed list of these generators, or None (no kernel, or not asked for twice lately)."""
    if not _loaded():
        return None
    key = tuple(map(id, rngs))
    entry = _typed.get(key)
    if entry is not None:  # the entry holds the generators, so their ids stay theirs
        return entry[1]
    if key not in _recently_missed:
        _recently_missed[:] = [key] + _recently_missed[:_TYPED_KEPT - 1]
        return None
    _recently_missed.remove(key)
    from numba.typed import List

    if len(_typed) >= _TYPED_KEPT:
        _typed.pop(next(iter(_typed)), None)
    _typed[key] = (list(rngs), List(rngs))
    return _typed[key][1]


def implementation() -> str:
    """What runs in this process: "numba <version>" or "NumPy"."""
    return numba_version() if _loaded() else "NumPy"


def _loaded():
    """The compiled kernel, loaded and checked at the first call; False without it."""
    global _kernel
    if _kernel is None:
        _kernel = load_checked(_import_kernel, _kernel_agrees_with_numpy, "per-env draws") or False
    return _kernel


def _import_kernel():
    from mec_gym.core._draws_compiled import draw_program_into

    return draw_program_into


def _kernel_agrees_with_numpy(kernel) -> bool:
    from numba.typed import List

    return _agrees_with_numpy(kernel, List)


_PROBE_PROGRAM = (("standard_normal", 700), ("random", 500), ("integers", 300, 7, 11), ("random", 1),
                  ("standard_exponential", 700), ("integers", 50, 0, 2**40))


def _agrees_with_numpy(kernel, typed_list) -> bool:
    """The kernel's draws and generator states against NumPy's, from the same seeds."""
    compiled = [np.random.default_rng(seed) for seed in range(4)]
    reference = [np.random.default_rng(seed) for seed in range(4)]
    program, plan = _PROBE_PROGRAM, _plan(_PROBE_PROGRAM)
    out = np.empty((4, plan.total))
    kernel(typed_list(compiled), *plan.encoded, out)
    for rng, generator, row in zip(reference, compiled, out):
        expected = np.concatenate([rng.integers(*op[2:], size=op[1]) if op[0] == "integers" else getattr(rng, op[0])(op[1])
                                   for op in program])
        if not (np.array_equal(row, expected) and rng.bit_generator.state == generator.bit_generator.state):
            return False
    return True
