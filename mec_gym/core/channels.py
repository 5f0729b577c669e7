"""Channel models: path loss and small-scale fading, vectorised over devices.

All gains are linear power gains (dimensionless); distances in metres; frequencies in Hz.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from mec_gym.core.draws import draw_per_env

SPEED_OF_LIGHT = 3e8  # m/s, the value the papers use


def free_space_gain(distance_m, carrier_hz: float, exponent: float, antenna_gain: float = 1.0) -> np.ndarray:
    """Average gain A_d (c / (4 pi f_c d))^{d_e} of the DROO/LyDROO papers."""
    distance = np.asarray(distance_m, dtype=np.float64)
    return antenna_gain * (SPEED_OF_LIGHT / (4.0 * np.pi * carrier_hz * distance)) ** exponent


def log_distance_gain(distance_m, intercept_db: float = 128.1, slope_db: float = 37.6) -> np.ndarray:
    """Average gain of the 3GPP-style path loss PL = intercept + slope log10(d / km) dB."""
    distance_km = np.asarray(distance_m, dtype=np.float64) / 1e3
    return db_to_linear(-(intercept_db + slope_db * np.log10(distance_km)))


def rayleigh_power(rng: np.random.Generator, size=None, out: np.ndarray | None = None) -> np.ndarray:
    """Small-scale power gain |g|^2 of Rayleigh fading: Exp(1), mean 1 (``out``: a float64 array
    to fill instead of ``size``; the same draws as ``rng.exponential(1.0, size)``)."""
    return rng.standard_exponential(size=size, out=out)


def rayleigh_powers(rngs, shape) -> np.ndarray:
    """(B, *shape) Rayleigh power gains, row i drawn by ``rayleigh_power`` from ``rngs[i]`` (one
    ``core.draws`` program for the batch)."""
    (power,) = draw_per_env(rngs, (("standard_exponential", math.prod(shape)),))
    return power.reshape(len(rngs), *shape)


BLOCK_DOUBLES = 8192  # draws per env and block of RayleighFrames (64 KiB)


class RayleighFrames:
    """One env's Rayleigh power gains frame after frame, drawn ``frames_ahead`` frames per generator
    call: the same doubles, in the same order, as one ``rayleigh_power(rng, devices)`` per frame
    (a block of standard exponentials is the concatenation of its rows' draws), for a fraction of
    the per-call cost. The generator runs ahead of the frames handed out until ``rewind()`` sets it
    back to where per-frame draws would have left it; whoever draws from the generator for anything
    else must rewind first (a reset does, through the scenario's ``fork_streams``). A frame asked of
    another generator than the block's (the env's generator was replaced) starts a new block.
    ``next_frames`` serves a batch of envs at once; envs that start their blocks together share one
    array and take each frame in one gather while they step together."""

    __slots__ = ("devices", "frames_ahead", "rng", "block", "used", "block_start", "group")

    def __init__(self, devices: int, frames_ahead: int | None = None):
        """``frames_ahead``: frames per block (default: 64, fewer for many devices, a block holding at
        most ``BLOCK_DOUBLES`` draws)."""
        self.devices = devices
        self.frames_ahead = frames_ahead or max(1, min(64, BLOCK_DOUBLES // devices))
        self.rng, self.block, self.used, self.block_start, self.group = None, None, 0, None, None

    def next_frame(self, rng: np.random.Generator) -> np.ndarray:
        """(devices,) powers of the next frame (a read-only view into the block)."""
        if self.group is not None:
            self._leave_group()
        if rng is not self.rng or self.used == self.frames_ahead:
            self.rewind()
            self._start_block(rng, np.empty((self.frames_ahead, self.devices)))
            self.block.flags.writeable = False
        frame = self.block[self.used]
        self.used += 1
        return frame

    @staticmethod
    def next_frames(frames: list[RayleighFrames], rngs: Sequence[np.random.Generator]) -> np.ndarray:
        """(B, devices): each env's ``next_frame(rng)``, stacked."""
        group = frames[0].group
        if group is not None and group.used < group.frames_ahead and group.members == frames and group.rngs == rngs:
            group.used += 1
            return group.stack[:, group.used - 1]
        if len(frames) > 1 and _FrameGroup.can_start(frames, rngs):
            return _FrameGroup(frames, rngs).stack[:, 0]
        return np.concatenate([member.next_frame(rng) for member, rng in zip(frames, rngs)]).reshape(len(frames), -1)

    def rewind(self) -> None:
        """Put the generator where per-frame draws would have left it, and drop the block."""
        if self.group is not None:
            self._leave_group()
        if self.rng is not None and self.used < self.frames_ahead:
            self.rng.bit_generator.state = self.block_start
            self.rng.standard_exponential(size=self.used * self.devices)
        self.rng, self.block, self.used, self.block_start = None, None, 0, None

    def _start_block(self, rng, block):
        self.rng, self.block_start, self.block, self.used = rng, rng.bit_generator.state, block, 0
        rng.standard_exponential(out=block)

    def _leave_group(self):
        """Continue alone where the group is (a group stops as soon as one member leaves)."""
        self.used, self.group.members = self.group.used, None
        self.group = None


class _FrameGroup:
    """Envs whose ``RayleighFrames`` blocks are the rows of one (B, frames_ahead, devices) array,
    taken frame by frame together while the same members step with the same generators."""

    __slots__ = ("members", "rngs", "stack", "used", "frames_ahead")

    @staticmethod
    def can_start(frames, rngs) -> bool:
        """Whether every env starts a new block at this frame (``next_frame`` would), all of the same
        shape and each from its own generator."""
        first = frames[0]
        for member, rng in zip(frames, rngs):
            used = member.used if member.group is None else member.group.used
            if member.devices != first.devices or member.frames_ahead != first.frames_ahead or (
                    rng is member.rng and used < member.frames_ahead):
                return False
        return len({id(rng) for rng in rngs}) == len(rngs)

    def __init__(self, frames, rngs):
        first = frames[0]
        self.stack = np.empty((len(frames), first.frames_ahead, first.devices))
        for member, rng, block in zip(frames, rngs, self.stack):
            member.rewind()
            member._start_block(rng, block)
            member.group = self
        self.stack.flags.writeable = False
        for member, block in zip(frames, self.stack):  # read-only views, for when a member goes on alone
            member.block = block
        self.members, self.rngs, self.used, self.frames_ahead = list(frames), list(rngs), 1, first.frames_ahead


def gauss_markov_fading(
    rng: np.random.Generator, phase_rng: np.random.Generator, power: np.ndarray, phase: np.ndarray, rho: float,
) -> tuple[np.ndarray, np.ndarray]:
    """One step of first-order Gauss-Markov (Jakes) Rayleigh fading, vectorised over devices.

    The complex gain g = sqrt(power) exp(i phase) follows g' = rho g + sqrt(1 - rho^2) e with
    e ~ CN(0, 1), so |g'|^2 stays Exp(1) and the lag-1 power autocorrelation is rho^2 (rho =
    J0(2 pi f_d T) for Doppler f_d and slot length T). The innovation is drawn as its power
    |e|^2 = ``rayleigh_power(rng, ...)`` (the very draw of i.i.d. fading) times a uniform phase
    from ``phase_rng``: at rho = 0 the returned power is that draw itself, so the power stream of
    ``rng`` is the i.i.d. stream bit for bit. Returns (power', phase' in (-pi, pi]).
    """
    innovation_power = rayleigh_power(rng, np.shape(power))
    innovation_phase = phase_rng.uniform(0.0, 2.0 * np.pi, size=np.shape(power))
    gain = rho * np.sqrt(power) * np.exp(1j * phase) + np.sqrt(1.0 - rho * rho) * np.sqrt(innovation_power) * np.exp(
        1j * innovation_phase)
    if rho == 0.0:
        return innovation_power, np.angle(gain)
    return np.abs(gain) ** 2, np.angle(gain)


def rician_power(rng: np.random.Generator, size, los_share: float) -> np.ndarray:
    """Small-scale power gain of Rician fading with mean 1, ``los_share`` of the power in the
    line-of-sight component: |sqrt(los_share) + sqrt(1 - los_share) CN(0, 1)|^2."""
    real = rng.standard_normal(size)
    return rician_from_normals(real, rng.standard_normal(size), los_share)


def rician_from_normals(real: np.ndarray, imag: np.ndarray, los_share: float) -> np.ndarray:
    """``rician_power`` from its two standard normal draws (elementwise, any shape: a batch of
    envs draws per env and computes once)."""
    scattered = (real + 1j * imag) / math.sqrt(2.0)  # math.sqrt: correctly rounded, as np.sqrt
    return np.abs(math.sqrt(los_share) + math.sqrt(1.0 - los_share) * scattered) ** 2


def db_to_linear(db) -> np.ndarray:
    return 10.0 ** (np.asarray(db, dtype=np.float64) / 10.0)


def dbm_to_watt(dbm) -> np.ndarray:
    return db_to_linear(dbm) / 1e3
