"""The compiled kernel of ``draws`` (imported only when numba is installed)."""

from __future__ import annotations

import numba


@numba.njit(cache=True)
def normals_then_exponentials_into(generators, normals, exponentials):
    """For each env i in turn: normals[i, :] standard normals, then exponentials[i, :] standard
    exponentials, from generators[i] (numba runs NumPy's algorithms on the generator's own bit
    generator, which advances as NumPy's methods would advance it)."""
    for i in range(len(generators)):
        generator = generators[i]
        for j in range(normals.shape[1]):
            normals[i, j] = generator.standard_normal()
        for j in range(exponentials.shape[1]):
            exponentials[i, j] = generator.standard_exponential()
