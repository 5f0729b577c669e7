"""Gauss-Markov mobility, vectorised over devices (Camp, Boleng, Davies 2002; seed 001's model).

speed_t = alpha speed_{t-1} + (1 - alpha) mean_speed + sqrt(1 - alpha^2) N(0, speed_std^2)
direction_t likewise around the device's mean direction (taken on the branch of the circle nearest
the current heading), with direction_std; positions move with
the previous speed and direction, x_t = x_{t-1} + speed_{t-1} cos(direction_{t-1}) dt (y with sin).
Within ``edge_fraction`` of an edge the mean direction turns toward the inside (left 0, right pi,
bottom pi/2, top 3 pi/2, corners the diagonals); positions that leave the area are reflected (and
the direction mirrored). A negative speed (rare with the defaults) moves a device backwards.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class GaussMarkov:
    area: float  # m, side of the square [0, area]^2
    alpha: float = 0.75  # memory of the process
    mean_speed: float = 1.0  # m/s
    speed_std: float = 0.5  # m/s
    direction_std: float = np.pi / 4  # rad
    edge_fraction: float = 0.15  # share of the side within which the mean direction turns inward
    dt: float = 1.0  # s

    def edge_direction(self, positions: np.ndarray, mean_direction: np.ndarray) -> np.ndarray:
        """Mean direction, turned toward the inside near edges (diagonals in corners)."""
        margin = self.edge_fraction * self.area
        x_side = np.where(positions[..., 0] < margin, 1, np.where(positions[..., 0] > self.area - margin, -1, 0))
        y_side = np.where(positions[..., 1] < margin, 1, np.where(positions[..., 1] > self.area - margin, -1, 0))
        inward = np.arctan2(y_side, x_side) % (2 * np.pi)  # 0, pi, pi/2, 3pi/2 or a diagonal
        return np.where((x_side != 0) | (y_side != 0), inward, mean_direction)

    def step(self, rng: np.random.Generator, positions, speed, direction, mean_direction):
        """One step for all devices: returns (positions, speed, direction, mean direction)."""
        n = len(speed)
        speed_noise = rng.standard_normal(n)
        return self.advance(positions, speed, direction, mean_direction, speed_noise, rng.standard_normal(n))

    def advance(self, positions, speed, direction, mean_direction, speed_noise, direction_noise):
        """``step`` given its two standard normal draws (speed, then direction); any leading axes
        (a batch of envs draws per env and advances once)."""
        moved = positions + (speed[..., None] * np.stack([np.cos(direction), np.sin(direction)], axis=-1)) * self.dt
        mean_direction = self.edge_direction(positions, mean_direction)
        noise = np.sqrt(1 - self.alpha**2)
        new_speed = self.alpha * speed + (1 - self.alpha) * self.mean_speed + noise * self.speed_std * speed_noise
        # the mean direction is taken on the branch nearest the heading (angles wrap: a heading of
        # 6.2 rad reverting to a mean of 0 turns by +0.02 rad, not by -1.5 rad toward 4.65)
        nearest_mean = direction + (mean_direction - direction + np.pi) % (2 * np.pi) - np.pi
        new_direction = (self.alpha * direction + (1 - self.alpha) * nearest_mean
                         + noise * self.direction_std * direction_noise)
        # reflection at the walls (a position beyond a wall comes back by as much; the heading mirrors)
        for axis in (0, 1):
            low, high = moved[..., axis] < 0, moved[..., axis] > self.area
            moved[..., axis] = np.where(low, -moved[..., axis], np.where(high, 2 * self.area - moved[..., axis],
                                                                          moved[..., axis]))
            mirrored = (np.pi - new_direction) if axis == 0 else -new_direction
            new_direction = np.where(low | high, mirrored, new_direction)
        return np.clip(moved, 0.0, self.area), new_speed, new_direction % (2 * np.pi), mean_direction
