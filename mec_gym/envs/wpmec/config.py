"""WPMEC-v0 configuration: every parameter with its unit, default and source."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from mec_gym.core.base import EnvConfig
from mec_gym.core.search import MAX_ENUMERATION
from mec_gym.core.validation import require_array, require_float, require_int, require_range

DISTANCE_MODES = ("linspace", "random")
FADING_MODES = ("iid", "gauss-markov")


@dataclass(frozen=True)
class WPMECConfig(EnvConfig):
    """Wireless-powered MEC with binary offloading (DROO / QAROO papers).

    Defaults are those of the DROO authors' released solver, which generated their published data
    sets (SPEC.md "WPMEC-v0"): where the paper's text differs (mu = 0.51, A_d = 4.11) the code and
    data win. One frame has the normalised length 1.
    """

    num_devices: int = 10  # N wireless devices; the papers use 10, 20, 30
    weights: Any = None  # (N,) computation-rate weights > 0; None: 1 for even 0-based i, 1.5 for odd
    distances: Any = "linspace"  # "linspace" (fixed, evenly spaced over distance_range), "random"
    #                              (U[distance_range] drawn per episode) or an (N,) array, m
    distance_range: tuple[float, float] = (2.5, 5.2)  # m, AP-to-device distances
    ap_power: float = 3.0  # P, W, AP transmit power for wireless power transfer
    harvesting_efficiency: float = 0.7  # mu (code and data; the paper's text says 0.51)
    cycles_per_bit: float = 100.0  # phi, CPU cycles per bit
    energy_coefficient: float = 1e-26  # k_i, effective switched capacitance of a device CPU
    noise_power: float = 1e-10  # N0, W, receiver noise power at the AP
    bandwidth: float = 2e6  # B, Hz
    comm_overhead: float = 1.1  # v_u > 1, communication overhead factor (bits sent per task bit)
    antenna_gain: float = 3.0  # A_d in the path loss (the data fit 3; the paper's text says 4.11)
    carrier_frequency: float = 915e6  # f_c, Hz
    path_loss_exponent: float = 2.8  # d_e
    fading: str = "iid"  # small-scale fading over frames: "iid" (default, the DROO papers: Exp(1) power
    #                      drawn afresh each frame) or "gauss-markov" (complex AR(1) gain, SPEC.md "WPMEC-v0")
    fading_correlation: float = 0.0  # rho in [0, 1), dimensionless, used by "gauss-markov": g_t = rho g_{t-1}
    #                      + sqrt(1 - rho^2) e_t, e_t ~ CN(0, 1); Jakes: rho = J0(2 pi f_d T) for Doppler
    #                      f_d (Hz) and frame length T (s); default 0 (chosen: the i.i.d. stream)
    channel_trace: Any = None  # (T, N) channel gains replayed one row per frame from reset; the
    #                            episode truncates at its end. None: Rayleigh fading draws.
    reward: str = "rate"  # "rate": sum_i w_i r_i, bits/s; "normalized": that over the best decision's
    #                       (optimum(), exact by enumeration: N <= 16), 1 for the best decision
    episode_length: int = 1000  # frames per episode (truncation only)

    reward_modes: ClassVar[tuple[str, ...]] = ("rate", "normalized")

    def validate(self) -> None:
        super().validate()
        n = require_int("num_devices", self.num_devices, 1, 4096)
        if self.reward == "normalized" and 2**n > MAX_ENUMERATION:
            raise ValueError(f"reward='normalized' needs the exact optimum, num_devices <= {MAX_ENUMERATION.bit_length() - 1}; "
                             f"got {n}")
        if self.weights is None:
            self._normalise("weights", np.where(np.arange(n) % 2 == 1, 1.5, 1.0))
        else:
            self._normalise("weights", require_array("weights", self.weights, (n,), 0.0, low_open=True))
        self._normalise("distance_range", require_range("distance_range", self.distance_range, 0.0, low_open=True))
        if isinstance(self.distances, str):
            if self.distances not in DISTANCE_MODES:
                raise ValueError(f"distances must be one of {list(DISTANCE_MODES)} or an (N,) array; got {self.distances!r}")
        else:
            self._normalise("distances", require_array("distances", self.distances, (n,), 0.0, low_open=True))
        require_float("ap_power", self.ap_power, 0.0, low_open=True)
        require_float("harvesting_efficiency", self.harvesting_efficiency, 0.0, 1.0, low_open=True)
        require_float("cycles_per_bit", self.cycles_per_bit, 0.0, low_open=True)
        require_float("energy_coefficient", self.energy_coefficient, 0.0, low_open=True)
        require_float("noise_power", self.noise_power, 0.0, low_open=True)
        require_float("bandwidth", self.bandwidth, 0.0, low_open=True)
        require_float("comm_overhead", self.comm_overhead, 1.0)
        require_float("antenna_gain", self.antenna_gain, 0.0, low_open=True)
        require_float("carrier_frequency", self.carrier_frequency, 0.0, low_open=True)
        require_float("path_loss_exponent", self.path_loss_exponent, 0.0, low_open=True)
        if self.fading not in FADING_MODES:
            raise ValueError(f"fading must be one of {list(FADING_MODES)}; got {self.fading!r}")
        rho = require_float("fading_correlation", self.fading_correlation, 0.0, 1.0, high_open=True)
        if rho > 0.0 and self.fading != "gauss-markov":
            raise ValueError(f"fading_correlation = {rho} needs fading='gauss-markov' (fading={self.fading!r} ignores it)")
        if self.channel_trace is not None:
            if self.fading != "iid":
                raise ValueError("fading must be 'iid' when channel_trace is given (the trace replaces the fading draws)")
            trace = require_array("channel_trace", self.channel_trace, (None, n), 0.0, 1.0)
            if len(trace) == 0:
                raise ValueError("channel_trace must have at least one row")
            trace.setflags(write=False)
            self._normalise("channel_trace", trace)
