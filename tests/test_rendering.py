"""render_mode="rgb_array" / "human" on every id, the drawing helpers and `mec-gym render`."""

from __future__ import annotations

import subprocess
import sys

import gymnasium as gym
import numpy as np
import pytest

import mec_gym
from mec_gym import rendering

OFFLOAD_BLUE = np.array([0x1F, 0x77, 0xB4])  # rendering.COLOURS[1]
LOCAL_GREY = np.array([0x7F, 0x7F, 0x7F])  # rendering.COLOURS[0]


def _pixels(frame: np.ndarray, colour: np.ndarray) -> int:
    return int((np.abs(frame.astype(int) - colour).sum(axis=-1) <= 6).sum())


@pytest.mark.parametrize("env_id", mec_gym.ENV_IDS)
def test_rgb_array_frames_on_every_id(env_id):
    env = gym.make(env_id, render_mode="rgb_array")
    env.reset(seed=1)
    first = env.render()
    env.step(env.action_space.sample())
    second = env.render()
    for frame in (first, second):
        assert frame.dtype == np.uint8 and frame.ndim == 3 and frame.shape[2] == 3 and frame.shape[0] >= 200
    assert not np.array_equal(first, second)
    assert second.std() > 10  # a picture, not a blank canvas


@pytest.mark.parametrize("env_id", mec_gym.ENV_IDS)
def test_scene_shows_the_decision_taken(env_id):
    """The scene's decision is the step's action as the env ran it (independently decoded here)."""
    env = gym.make(env_id, render_mode="rgb_array", num_devices=6)
    env.reset(seed=2)
    unwrapped = env.unwrapped
    action = env.action_space.sample()
    env.step(action)
    scene = unwrapped._scene(unwrapped._decided_state, unwrapped._last_info)
    if env_id == "MEQC-GaussMarkov-v0":  # 0 local, 1 + target where a fraction ran remotely
        offloaded = unwrapped._last_info["offloaded"] > 0
        expected = np.where(offloaded, 1 + action["target"], 0)
    elif env_id == "OFDMA-Consistency-v0":  # the offload score's sign (UTD by UTD, 4 fields each)
        expected = (np.asarray(action).reshape(6, 4)[:, 0] > 0).astype(int)
    else:
        expected = np.asarray(action)
    np.testing.assert_array_equal(scene.decision, expected)
    assert len(scene.positions) == 6 and all(len(v) == 6 for v in scene.quantities.values())
    assert len(scene.choices) > int(np.max(scene.decision))


def test_colours_follow_the_decision():
    """All devices offloading paints far more of the offload colour than all computing locally,
    and the reverse for the local colour."""
    frames = {}
    for name, bit in (("local", 0), ("offload", 1)):
        env = gym.make("WPMEC-v0", render_mode="rgb_array")
        env.reset(seed=0)
        env.step(np.full(10, bit, dtype=np.int8))
        frames[name] = env.render()
    assert _pixels(frames["offload"], OFFLOAD_BLUE) > 5 * _pixels(frames["local"], OFFLOAD_BLUE)
    assert _pixels(frames["local"], LOCAL_GREY) > 5 * _pixels(frames["offload"], LOCAL_GREY)


def test_wpmec_devices_sit_at_their_distances():
    env = gym.make("WPMEC-v0", render_mode="rgb_array", distances="random")
    env.reset(seed=3)
    state = env.unwrapped.state
    scene = env.unwrapped._scene(state, {})
    site = scene.sites[0]
    np.testing.assert_allclose(np.hypot(scene.positions[:, 0] - site.x, scene.positions[:, 1] - site.y),
                               state["distances"], rtol=1e-12)
    assert scene.decision is None  # nothing decided after reset


def test_reward_terms_from_info_or_the_reward():
    assert rendering.reward_terms({}, 2.5) == {"reward": 2.5}
    assert rendering.reward_terms({"reward_terms": {"rate": np.array([1.0, 2.0]), "penalty": -0.5}}, 9.0) == {
        "reward": 9.0, "rate": 3.0, "penalty": -0.5}
    assert rendering.reward_terms({"cost": np.array([1.0, 2.5]), "excess": 0.25, "other": 7.0}, -3.0,
                                  ("cost", "excess", "absent")) == {"reward": -3.0, "sum cost": 3.5, "excess": 0.25}
    assert rendering.reward_terms({}, None) == {}


def test_the_picture_shows_the_schema_reward_terms():
    """OFDMA's reward is eq. (17) assembled from its info["reward_terms"]: they reach the scene."""
    env = gym.make("OFDMA-Consistency-v0", render_mode="rgb_array")
    env.reset(seed=0)
    _, reward, _, _, info = env.step(env.action_space.sample())
    captured = {}
    from mec_gym.rendering import Canvas

    draw = Canvas.draw

    def spy(self, scene):
        captured["terms"] = scene.terms
        return draw(self, scene)

    Canvas.draw = spy
    try:
        env.render()
    finally:
        Canvas.draw = draw
    terms = captured["terms"]
    assert terms["reward"] == reward and terms["consistency"] == info["consistency_count"]
    # eq. (17), from info["reward_terms"]: -objective - deadline excess - bandwidth excess + consistent count
    assert terms["delay_energy"] == -info["objective"] and terms["deadline"] == -info["deadline_excess"]
    assert np.isclose(terms["delay_energy"] + terms["deadline"] + terms["bandwidth"] + terms["consistency"], reward)


@pytest.mark.parametrize(("low", "high", "expected"), [
    (0.0, 0.3, (0.0, 0.5)), (0.2, 1.0, (0.0, 1.0)), (0.0, 1.01, (0.0, 2.0)), (-3.0, 0.0, (-5.0, 0.0)),
    (-0.07, 42.0, (-0.1, 50.0)), (0.0, 0.0, (0.0, 1.0)),
])
def test_nice_range(low, high, expected):
    result = rendering._nice_range(low, high)
    np.testing.assert_allclose(result, expected)
    assert result[0] <= min(low, 0.0) and result[1] >= max(high, 0.0)


def test_bad_render_mode_names_the_allowed_ones():
    with pytest.raises(ValueError, match="rgb_array"):
        gym.make("WPMEC-v0", render_mode="video")


def test_human_mode_without_display_returns_none(monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    env = gym.make("PQC-NOMA-v0", render_mode="human")
    env.reset(seed=0)
    env.step(env.action_space.sample())
    assert env.render() is None and env.unwrapped._window is None


def test_ansi_still_prints_the_state():
    env = gym.make("WPMEC-v0", render_mode="ansi")
    env.reset(seed=0)
    assert "h:" in env.render()


def test_import_stays_free_of_matplotlib():
    code = "import sys, mec_gym, gymnasium as gym; gym.make('WPMEC-v0').reset(seed=0); print('matplotlib' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"


def test_cli_render_gif_and_png(tmp_path):
    from PIL import Image

    from benchmarks.cli import main

    assert main(["render", "OFDMA-Consistency-v0", "--policy", "optimum", "--frames", "3",
                 "--out", str(tmp_path / "a.gif")]) == 0
    with Image.open(tmp_path / "a.gif") as gif:
        assert gif.n_frames == 4  # after reset and after each of 3 steps
    assert main(["render", "WPMEC-v0", "--frames", "1", "--out", str(tmp_path / "b.png")]) == 0
    with Image.open(tmp_path / "b.png") as png:
        assert png.mode == "RGB" and png.size[0] >= 300
    assert main(["render", "WPMEC-v0", "--policy", "nope", "--out", str(tmp_path / "c.gif")]) == 2
    assert main(["render", "WPMEC-v0", "--out", str(tmp_path / "c.jpg")]) == 2
    assert not (tmp_path / "c.gif").exists()
