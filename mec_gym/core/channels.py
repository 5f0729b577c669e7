"""Channel models: path loss and small-scale fading, vectorised over devices.

All gains are linear power gains (dimensionless); distances in metres; frequencies in Hz.
"""

from __future__ import annotations

import numpy as np

SPEED_OF_LIGHT = 3e8  # m/s, the value the papers use


def free_space_gain(distance_m, carrier_hz: float, exponent: float, antenna_gain: float = 1.0) -> np.ndarray:
    """Average gain A_d (c / (4 pi f_c d))^{d_e} of the DROO/LyDROO papers."""
    distance = np.asarray(distance_m, dtype=np.float64)
    return antenna_gain * (SPEED_OF_LIGHT / (4.0 * np.pi * carrier_hz * distance)) ** exponent


def log_distance_gain(distance_m, intercept_db: float = 128.1, slope_db: float = 37.6) -> np.ndarray:
    """Average gain of the 3GPP-style path loss PL = intercept + slope log10(d / km) dB."""
    distance_km = np.asarray(distance_m, dtype=np.float64) / 1e3
    return db_to_linear(-(intercept_db + slope_db * np.log10(distance_km)))


def rayleigh_power(rng: np.random.Generator, size) -> np.ndarray:
    """Small-scale power gain |g|^2 of Rayleigh fading: Exp(1), mean 1."""
    return rng.exponential(1.0, size=size)


def rician_power(rng: np.random.Generator, size, los_share: float) -> np.ndarray:
    """Small-scale power gain of Rician fading with mean 1, ``los_share`` of the power in the
    line-of-sight component: |sqrt(los_share) + sqrt(1 - los_share) CN(0, 1)|^2."""
    scattered = (rng.standard_normal(size) + 1j * rng.standard_normal(size)) / np.sqrt(2.0)
    return np.abs(np.sqrt(los_share) + np.sqrt(1.0 - los_share) * scattered) ** 2


def db_to_linear(db) -> np.ndarray:
    return 10.0 ** (np.asarray(db, dtype=np.float64) / 10.0)


def dbm_to_watt(dbm) -> np.ndarray:
    return db_to_linear(dbm) / 1e3
