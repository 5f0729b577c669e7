"""The compiled kernel of ``draws`` (imported only when numba is installed)."""

from __future__ import annotations

import numba

STANDARD_NORMAL, RANDOM, STANDARD_EXPONENTIAL, INTEGERS = 0, 1, 2, 3  # the kinds of a program's draws


@numba.njit(cache=True)
def draw_program_into(generators, kinds, counts, lows, highs, out):
    """For each env i in turn, the program's draws from generators[i] into out[i], op after op:
    ``counts[op]`` draws of kind ``kinds[op]`` (integers in [lows[op], highs[op]) as one call of
    that size, as NumPy's array fill takes them). numba runs NumPy's algorithms on the generator's
    own bit generator, which advances as NumPy's methods would advance it."""
    for i in range(len(generators)):
        generator = generators[i]
        column = 0
        for op in range(kinds.size):
            kind, count = kinds[op], counts[op]
            if kind == INTEGERS:
                values = generator.integers(lows[op], highs[op], count)
                for j in range(count):
                    out[i, column + j] = values[j]
            elif kind == STANDARD_NORMAL:
                for j in range(count):
                    out[i, column + j] = generator.standard_normal()
            elif kind == RANDOM:
                for j in range(count):
                    out[i, column + j] = generator.random()
            else:
                for j in range(count):
                    out[i, column + j] = generator.standard_exponential()
            column += count
