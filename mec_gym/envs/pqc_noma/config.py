"""PQC-NOMA-v0 configuration: every parameter with its unit, default and source."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from mec_gym.core.base import EnvConfig
from mec_gym.core.validation import require_array, require_choice, require_float, require_int, require_range

POWER_ALLOCATIONS = ("greedy", "sca", "tdma")


@dataclass(frozen=True)
class PQCNOMAConfig(EnvConfig):
    """Quantum-secure NOMA uplink with data and energy queues (seed 002, in LyDROO's framework).

    Values from SPEC.md "PQC-NOMA-v0"; "chosen" marks values the paper does not give. Units of the
    drift-plus-penalty objective are LyDROO's: queues and bits in Mbit, energy in J, the energy
    queue weighted by ``energy_queue_weight`` x Y.
    """

    num_devices: int = 10  # N wireless devices
    distance_range: tuple[float, float] = (120.0, 255.0)  # m, d_i = linspace over it
    antenna_gain: float = 3.0  # A_d
    carrier_frequency: float = 915e6  # f_c, Hz
    path_loss_exponent: float = 3.0
    los_share: float = 0.3  # Rician line-of-sight share of the fading power
    arrival_mean: float = 3e6  # lambda_i, bits per frame (Exp arrivals; the paper sweeps 1.5-3.5 Mbit)
    frame_length: float = 1.0  # T, s
    cycles_per_bit: float = 100.0  # phi
    energy_coefficient: float = 1e-26  # kappa, local energy kappa f^3 T
    max_cpu: float = 0.3e9  # f_max, Hz
    bandwidth: float = 2e6  # W, Hz, shared by all offloaders (NOMA)
    noise_density_dbm: float = -174.0  # N0, dBm/Hz
    comm_overhead: float = 1.1  # v_u
    max_power: float = 0.1  # P_max, W
    pqc_power: float = 0.05  # P_pqc, W, constant PQC circuit power of an offloader (chosen; 0-0.1 swept)
    overhead_coefficient: float = 0.1  # c_o, PQC encapsulation overhead: payload share 1 / (1 + c_o) (chosen)
    energy_threshold: float = 0.08  # e_bar, J per frame (long-term average energy budget)
    energy_queue_scale: float = 100.0  # c in Y(t+1) = max(Y + c (e - e_bar), 0) (chosen, ablation 50-100)
    energy_queue_weight: float = 10.0  # y_i = 10 Y_i (LyDROO's fixed factor)
    V: float = 20.0  # Lyapunov penalty weight
    weights: Any = None  # (N,) > 0; None: 1.5 for even 0-based i, 1 for odd
    power_allocation: str = "greedy"  # "greedy" (paper), "sca" (CVXPY), "tdma" (orthogonal, LyDROO)
    reward: str = "drift_plus_penalty"  # "drift_plus_penalty" (the realised one-slot drift-plus-penalty, an
    #                                    RL return that letting queues grow cannot raise), "surrogate" (the
    #                                    per-slot DPP objective the oracle maximises) or "rate" (sum w r, Mbit)
    sca_tolerance: float = 1e-6  # relative surrogate gain at which SCA stops
    sca_max_iterations: int = 500
    episode_length: int = 1000

    reward_modes: ClassVar[tuple[str, ...]] = ("drift_plus_penalty", "surrogate", "rate")

    def validate(self) -> None:
        super().validate()
        n = require_int("num_devices", self.num_devices, 1, 64)
        self._normalise("distance_range", require_range("distance_range", self.distance_range, 0.0, low_open=True))
        for name in ("antenna_gain", "carrier_frequency", "path_loss_exponent", "arrival_mean", "frame_length",
                     "cycles_per_bit", "energy_coefficient", "max_cpu", "bandwidth", "max_power",
                     "energy_threshold", "energy_queue_scale", "energy_queue_weight", "sca_tolerance"):
            require_float(name, getattr(self, name), 0.0, low_open=True)
        require_float("los_share", self.los_share, 0.0, 1.0)
        require_float("noise_density_dbm", self.noise_density_dbm, -300.0, 0.0)
        require_float("comm_overhead", self.comm_overhead, 1.0)
        require_float("pqc_power", self.pqc_power, 0.0)
        require_float("overhead_coefficient", self.overhead_coefficient, 0.0)
        require_float("V", self.V, 0.0)
        require_int("sca_max_iterations", self.sca_max_iterations, 1)
        require_choice("power_allocation", self.power_allocation, POWER_ALLOCATIONS)
        if self.weights is None:
            self._normalise("weights", np.where(np.arange(n) % 2 == 0, 1.5, 1.0))
        else:
            self._normalise("weights", require_array("weights", self.weights, (n,), 0.0, low_open=True))
