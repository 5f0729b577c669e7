"""OFDMA-Consistency-v0 configuration: every parameter with its unit, default and source."""

from __future__ import annotations

from dataclasses import dataclass

from mec_gym.core.base import EnvConfig
from mec_gym.core.validation import require_choice, require_float, require_int, require_range

DEADLINE_MODES = ("soft", "hard")
BANDWIDTH_DECODINGS = ("absolute", "shares")


@dataclass(frozen=True)
class OFDMAConfig(EnvConfig):
    """One edge server, binary offloading with bandwidth, power and CPU (the CPDRL paper, seed 004).

    Values from SPEC.md "OFDMA-Consistency-v0"; "chosen" marks values the paper does not give.
    """

    num_devices: int = 5  # N user terminal devices (UTDs); the paper sweeps the number
    area_size: float = 300.0  # m, side of the square; the server sits at its centre
    min_distance: float = 1.0  # m, closest a UTD may be to the server (chosen: keeps g = d^-3 <= 1)
    server_cpu: float = 15e9  # F, Hz, shared equally by the offloaders
    bandwidth: float = 5e6  # B, Hz, total OFDMA band
    noise_power: float = 1e-13  # sigma^2, W
    path_loss_exponent: float = 3.0  # g_n = d_n^-3
    data_size_kb: tuple[float, float] = (200.0, 400.0)  # D_n ~ U[.], KB (1 KB = 8192 bits, chosen)
    cycles_per_bit: tuple[float, float] = (500.0, 1000.0)  # C_n ~ U[.], cycles/bit
    local_cpu_ghz: tuple[float, float] = (1.0, 2.0)  # f_max,n ~ U[.], GHz
    max_power: float = 1.0  # P_max, W
    energy_coefficient: float = 1e-28  # kappa, local CPU energy kappa D C f^2
    deadline: float = 0.5  # tau, s
    delay_weight: float = 1.0  # lambda1, per s
    energy_weight: float = 1.0  # lambda2, per J
    deadlines: str = "soft"  # "soft": C1 penalised in the reward (eq. 17); "hard": the oracle and TEM
    #                          keep every T_n <= tau and report infeasible vectors (info "feasible")
    bandwidth_decoding: str = "absolute"  # how an action's bandwidth field u in [0, 1] becomes b_n, Hz:
    #                                       "absolute" (default, the paper): b_n = u_n B, so sum b may exceed B;
    #                                       "shares" (a deviation, SPEC.md): b_n = B u_n / max(1, sum_m u_m),
    #                                       within the band by construction
    min_resource_share: float = 1e-3  # floor on decoded b/B, p/P_max, f/f_max when computing
    #                                  delays of raw actions (chosen: keeps them finite; the
    #                                  consistency check sees the unfloored values)
    episode_length: int = 200  # T decisions per episode on one static instance

    def validate(self) -> None:
        super().validate()
        require_int("num_devices", self.num_devices, 1, 64)
        require_float("area_size", self.area_size, 0.0, low_open=True)
        require_float("min_distance", self.min_distance, 0.0, self.area_size, low_open=True)
        for name in ("server_cpu", "bandwidth", "noise_power", "path_loss_exponent", "max_power",
                     "energy_coefficient", "deadline"):
            require_float(name, getattr(self, name), 0.0, low_open=True)
        # lambda1 > 0: with lambda1 = 0 a local UTD's optimum is f -> 0, an infinite delay (the oracle's
        # objectives were NaN and optimum() failed)
        require_float("delay_weight", self.delay_weight, 0.0, low_open=True)
        require_float("energy_weight", self.energy_weight, 0.0)
        for name in ("data_size_kb", "cycles_per_bit", "local_cpu_ghz"):
            self._normalise(name, require_range(name, getattr(self, name), 0.0, low_open=True))
        require_choice("deadlines", self.deadlines, DEADLINE_MODES)
        require_choice("bandwidth_decoding", self.bandwidth_decoding, BANDWIDTH_DECODINGS)
        require_float("min_resource_share", self.min_resource_share, 0.0, 1.0, low_open=True)
