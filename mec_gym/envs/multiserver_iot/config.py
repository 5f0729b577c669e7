"""MultiServerIoT-v0 configuration: every parameter with its unit, default and source."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from mec_gym.core.base import EnvConfig
from mec_gym.core.validation import require_array, require_choice, require_float, require_int, require_range

PRICING = ("fixed", "stackelberg")


@dataclass(frozen=True)
class MultiServerIoTConfig(EnvConfig):
    """Many IoT devices, several priced edge servers (seed 003; its simulator is not given in full,
    so most values are SPEC.md's documented choices, "chosen" where even SPEC.md is silent)."""

    num_devices: int = 50  # N (the paper: 50, 100, 150)
    num_servers: int = 3  # M
    area_size: float = 1000.0  # m, square side
    server_sites: Any = ((250.0, 250.0), (750.0, 250.0), (500.0, 750.0))  # m, (M, 2)
    server_cpu: float = 10e9  # F, Hz per server, split among its tasks
    server_bandwidth: float = 10e6  # B, Hz per server, shared equally (OFDMA) by its devices
    noise_power: float = 1e-13  # sigma^2, W per device channel
    transmit_power: float = 0.2  # W
    min_distance: float = 1.0  # m (chosen)
    data_bits: tuple[float, float] = (1e4, 1e6)  # D range, bits (uniform mean per device)
    cycles: tuple[float, float] = (1e6, 1e8)  # C range, cycles (log-uniform mean per device, documented choice)
    device_cpu_ghz: tuple[float, float] = (1.0, 2.0)  # f_i ~ U[.], GHz
    energy_coefficient: float = 1e-27  # kappa, device CPU
    server_energy_coefficient: float = 1e-28  # kappa_s, server CPU energy kappa_s C f^2 (chosen)
    workload_correlation: float = 0.8  # AR(1) coefficient of log D and log C around the device mean (chosen)
    workload_spread: float = 0.3  # stationary std of log D and log C (chosen)
    latency_weight: float = 1.0  # alpha, per s
    energy_weight: float = 1.0  # beta, per J
    price_weight: float = 1.0  # gamma
    pricing: str = "fixed"  # "fixed" or "stackelberg" (servers best-respond each slot)
    prices: Any = (0.1, 0.1, 0.1)  # per gigacycle, (M,), used by "fixed" and as the first slot's prices
    price_grid: Any = tuple(np.round(np.linspace(0.02, 1.0, 50), 4))  # Stackelberg leaders' choices (chosen)
    server_energy_cost: float = 1.0  # lambda in U_j, per J (chosen)
    server_delay_cost: float = 0.1  # mu in U_j, per s of its tasks' total latency (chosen)
    slot_length: float = 1.0  # s
    episode_length: int = 200

    def validate(self) -> None:
        super().validate()
        require_int("num_devices", self.num_devices, 1, 10_000)
        m = require_int("num_servers", self.num_servers, 1, 64)
        sites = require_array("server_sites", self.server_sites, (m, 2), 0.0, self.area_size)
        self._normalise("server_sites", sites)
        for name in ("area_size", "server_cpu", "server_bandwidth", "noise_power", "transmit_power", "min_distance",
                     "energy_coefficient", "server_energy_coefficient", "slot_length"):
            require_float(name, getattr(self, name), 0.0, low_open=True)
        for name in ("data_bits", "cycles", "device_cpu_ghz"):
            self._normalise(name, require_range(name, getattr(self, name), 0.0, low_open=True))
        require_float("workload_correlation", self.workload_correlation, 0.0, 1.0, high_open=True)
        require_float("workload_spread", self.workload_spread, 0.0, 5.0)
        for name in ("latency_weight", "energy_weight", "price_weight", "server_energy_cost", "server_delay_cost"):
            require_float(name, getattr(self, name), 0.0)
        require_choice("pricing", self.pricing, PRICING)
        self._normalise("prices", require_array("prices", self.prices, (m,), 0.0))
        self._normalise("price_grid", require_array("price_grid", self.price_grid, (None,), 0.0))
        if len(self.price_grid) == 0:
            raise ValueError("price_grid must hold at least one price")
