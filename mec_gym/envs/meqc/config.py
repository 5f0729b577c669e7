"""MEQC-GaussMarkov-v0 configuration: every parameter with its unit, default and source."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from mec_gym.core.base import EnvConfig
from mec_gym.core.validation import require_array, require_choice, require_float, require_int, require_range

DEADLINE_MODES = ("hard", "penalty")
QPU_PARTIAL_MODES = ("whole", "scaled")
AMINO_ACIDS = (5, 30)  # the n_a a protein-folding instance may have, in the config's draw and a given state


@dataclass(frozen=True)
class MEQCConfig(EnvConfig):
    """Hybrid mobile edge-quantum computing (seed 001). Values from SPEC.md; "chosen" marks values
    neither the paper nor SPEC.md gives."""

    num_devices: int = 15  # N
    area_size: float = 500.0  # m, square side; the access point sits at the centre
    slot_length: float = 1.0  # s
    mobility_alpha: float = 0.75
    mean_speed: float = 1.0  # m/s
    speed_std: float = 0.5  # m/s
    direction_std: float = 0.7853981633974483  # rad (pi / 4)
    edge_fraction: float = 0.15
    min_distance: float = 1.0  # m (chosen)
    subband: float = 1e6  # W, Hz per device (OFDMA)
    noise_density_dbm: float = -174.0  # dBm/Hz
    pathloss_intercept_db: float = 128.1  # PL = intercept + slope log10(d / km), dB (SPEC.md)
    pathloss_slope_db: float = 37.6  # dB per decade (SPEC.md)
    transmit_power: tuple[float, float] = (0.05, 0.2)  # p_i ~ U[.], W, fixed per device (chosen)
    data_mbit: tuple[float, float] = (1.0, 5.0)  # D ~ U[.], Mbit
    cycles_per_bit: tuple[float, float] = (500.0, 1500.0)  # c ~ U[.]
    deadline: tuple[float, float] = (0.5, 2.0)  # T_max ~ U[.], s
    result_share: float = 0.01  # result size / D
    downlink_rate: float = 10e6  # bits/s
    local_cpu_levels: tuple[float, ...] = (0.5e9, 1.0e9, 1.5e9)  # f_i drawn from these, Hz, fixed per device
    energy_coefficient: float = 1e-27  # kappa, device
    server_energy_coefficient: float = 1e-29  # kappa_s, cloud CPU (chosen)
    leased_cpu: tuple[float, float] = (5e9, 20e9)  # F_i ~ U[.], Hz, fixed per device
    amino_acids: tuple[int, int] = (7, 10)  # n_a ~ U{.}, within AMINO_ACIDS
    physical_error: tuple[float, float] = (0.5e-3, 2e-3)  # p ~ U[.] per slot, a probability in (0, 1] (SPEC.md, chosen)
    threshold_error: float = 1e-2  # p_th of concatenated codes (SPEC.md, chosen)
    code_size: int = 7  # physical qubits and steps per logical one per level (Steane code; SPEC.md)
    max_concatenation: int = 3  # levels k in {0..3} (SPEC.md)
    success_threshold: float = 2.0 / 3.0  # smallest acceptable success probability (SPEC.md)
    shots: int = 50  # S (SPEC.md, chosen)
    two_qubit_time: float = 100e-9  # t_2q, s (SPEC.md, chosen)
    measurement_time: float = 1e-6  # t_meas, s (SPEC.md, chosen)
    gate_energy: float = 1e-11  # E_g, J per physical gate step (SPEC.md, chosen)
    cooling_power: float = 1.2e4  # P_cool, W, cryogenic power charged for the execution time (SPEC.md, chosen)
    leased_qubits: tuple[int, int] = (50, 500)  # U{.}, fixed per device
    latency_weight: float = 0.5  # w_T
    energy_weight: float = 0.5  # w_E
    deadline_mode: str = "hard"  # "hard" (default, the paper's constraint 12b: an avoidable miss costs more
    #                              than any decision meeting the deadline, see oracle.py) or "penalty" (a flat
    #                              deadline_penalty per miss, the first release)
    deadline_penalty: float = 1.0  # cost units (chosen): "penalty" mode, the cost of each miss; "hard" mode, the
    #                                margin (> 0) by which an avoidable miss scores below the worst meeting decision
    qpu_partial: str = "whole"  # "whole" (default, chosen: any fraction > 0 runs the whole circuit) or "scaled"
    #                             (the circuit's time and energy scale with the fraction; SPEC.md)
    infeasible_penalty: float = 10.0  # added to the local cost of a rejected QPU request (chosen; the task runs locally)
    alpha_bar: float = 0.3  # long-term average offload fraction per device
    V: float = 10.0  # Lyapunov weight (chosen)
    reward: str = "drift_plus_penalty"  # "drift_plus_penalty" (realised one-slot DPP), "surrogate" (the
    #                                    per-slot DPP bound optimum() minimises) or "cost" (see the env's Rewards)
    episode_length: int = 2000

    reward_modes: ClassVar[tuple[str, ...]] = ("drift_plus_penalty", "surrogate", "cost")

    def validate(self) -> None:
        super().validate()

        def number(name, low=-np.inf, high=np.inf, **open_ends):
            self._normalise(name, require_float(name, getattr(self, name), low, high, **open_ends))

        require_int("num_devices", self.num_devices, 1, 1000)  # numpy integers are ints already (__post_init__)
        for name in ("area_size", "slot_length", "mean_speed", "min_distance", "subband", "downlink_rate",
                     "energy_coefficient", "server_energy_coefficient"):
            number(name, 0.0, low_open=True)
        number("mobility_alpha", 0.0, 1.0, high_open=True)
        for name in ("speed_std", "direction_std", "result_share", "latency_weight", "energy_weight",
                     "deadline_penalty", "infeasible_penalty", "V", "two_qubit_time", "measurement_time",
                     "gate_energy", "cooling_power"):
            number(name, 0.0)
        number("edge_fraction", 0.0, 0.5)
        number("alpha_bar", 0.0, 1.0)
        number("threshold_error", 0.0, 1.0, low_open=True)
        number("success_threshold", 0.0, 1.0)
        require_int("code_size", self.code_size, 1, 10**3)
        require_int("max_concatenation", self.max_concatenation, 0, 10)
        require_int("shots", self.shots, 1, 10**9)
        number("pathloss_intercept_db", -300.0, 300.0)
        number("pathloss_slope_db", 0.0, 100.0)
        number("noise_density_dbm", -300.0, 0.0)
        for name in ("transmit_power", "data_mbit", "cycles_per_bit", "deadline", "leased_cpu"):
            self._normalise(name, require_range(name, getattr(self, name), 0.0, low_open=True))
        self._normalise("physical_error", require_range("physical_error", self.physical_error, 0.0, 1.0, low_open=True))
        self._normalise("amino_acids", require_range("amino_acids", self.amino_acids, *AMINO_ACIDS, integer=True))
        self._normalise("leased_qubits", require_range("leased_qubits", self.leased_qubits, 1, 10**7, integer=True))
        levels = require_array("local_cpu_levels", self.local_cpu_levels, (None,), 0.0, low_open=True)
        if levels.size == 0:
            raise ValueError("local_cpu_levels must hold at least one frequency (Hz) > 0; got ()")
        self._normalise("local_cpu_levels", tuple(levels.tolist()))
        require_choice("deadline_mode", self.deadline_mode, DEADLINE_MODES)
        require_choice("qpu_partial", self.qpu_partial, QPU_PARTIAL_MODES)
        if self.deadline_mode == "hard":
            if self.deadline_penalty <= 0:
                raise ValueError(f"deadline_penalty must be > 0 with deadline_mode='hard' (the margin of an avoidable "
                                 f"miss); got {self.deadline_penalty}")
            if self.reward != "cost" and self.V <= 0:
                raise ValueError(f"V must be > 0 with deadline_mode='hard' and a DPP reward (the miss penalty is "
                                 f"the objective's gap divided by V); got {self.V}")
