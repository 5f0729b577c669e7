"""Gauss-Markov mobility: devices stay inside; the speed process has the AR(1) moments."""

import numpy as np

from mec_gym.core.mobility import GaussMarkov


def test_devices_stay_inside_and_speed_moments_match_the_ar1():
    model = GaussMarkov(area=500.0)
    rng = np.random.default_rng(0)
    n, steps = 10, 100_000
    positions = rng.uniform(0, 500, (n, 2))
    speed, direction, mean_direction = np.ones(n), rng.uniform(0, 2 * np.pi, n), rng.uniform(0, 2 * np.pi, n)
    speeds = np.empty((steps, n))
    for t in range(steps):
        positions, speed, direction, mean_direction = model.step(rng, positions, speed, direction, mean_direction)
        assert (positions >= 0).all() and (positions <= 500).all()
        speeds[t] = speed
    # stationary AR(1): mean = mean_speed, variance = speed_std^2 (the noise is scaled by sqrt(1 - alpha^2))
    assert abs(speeds.mean() - 1.0) <= 0.05 * 1.0
    assert abs(speeds.var() - 0.25) <= 0.05 * 0.25


def test_mean_direction_turns_inward_near_edges():
    model = GaussMarkov(area=100.0)
    positions = np.array([[5.0, 50], [95, 50], [50, 5], [50, 95], [5, 5], [95, 95], [50, 50]])
    got = model.edge_direction(positions, np.full(7, 1.0))
    np.testing.assert_allclose(got, [0, np.pi, np.pi / 2, 3 * np.pi / 2, np.pi / 4, 5 * np.pi / 4, 1.0])


def test_direction_reverts_along_the_shorter_arc():
    """Without noise, a heading of 6.2 rad reverting to a mean of 0 (= 2 pi) moves up toward 2 pi."""
    model = GaussMarkov(area=100.0, speed_std=0.0, direction_std=0.0)
    rng = np.random.default_rng(0)
    _, _, direction, _ = model.step(rng, np.array([[50.0, 50.0]]), np.ones(1), np.array([6.2]), np.zeros(1))
    np.testing.assert_allclose(direction, [0.75 * 6.2 + 0.25 * 2 * np.pi])


def test_reflection_at_a_wall_by_hand():
    model = GaussMarkov(area=100.0, speed_std=0.0, direction_std=0.0)
    rng = np.random.default_rng(0)
    positions, speed, direction, mean = model.step(rng, np.array([[99.5, 50.0]]), np.array([2.0]), np.array([0.2]),
                                                   np.array([1.0]))
    # moved to x = 99.5 + 2 cos 0.2 > 100, reflected to 200 - x; near the right edge the mean turns to pi
    np.testing.assert_allclose(positions, [[200 - (99.5 + 2 * np.cos(0.2)), 50 + 2 * np.sin(0.2)]])
    np.testing.assert_allclose(mean, [np.pi])
    # the new heading 0.75 * 0.2 + 0.25 pi is mirrored by the wall: pi - heading
    np.testing.assert_allclose(direction, [np.pi - (0.75 * 0.2 + 0.25 * np.pi)])
    np.testing.assert_allclose(speed, [0.75 * 2.0 + 0.25 * 1.0])
