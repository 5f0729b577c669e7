"""Leaderboard presets: which environments, methods, seeds and frame budgets a grid runs."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Preset:
    seeds: tuple[int, ...]
    frames: dict[str, int]  # learning frames per env id ("*" for the rest)
    eval_frames: dict[str, int]  # evaluation frames per env id ("*" for the rest)
    env_configs: dict[str, dict] = field(default_factory=dict)  # config overrides per env id
    method_configs: dict[str, dict] = field(default_factory=dict)  # hyper-parameter overrides per method

    def frames_for(self, env_id: str) -> int:
        return self.frames.get(env_id, self.frames["*"])

    def eval_frames_for(self, env_id: str) -> int:
        return self.eval_frames.get(env_id, self.eval_frames["*"])


PRESETS: dict[str, Preset] = {
    # every environment and method family, one seed, small budgets: minutes on a 2-core CPU
    "quick": Preset(seeds=(0,), frames={"*": 1000}, eval_frames={"*": 100},
                    # the unified method's QIO and twin refits cut to keep its run under a minute
                    method_configs={"iot-unified": {"qio_iterations": 30, "twin_fit_steps": 20}}),
    # the papers' budgets (DROO: 10,000 frames at N = 10; LyDROO / PQC-NOMA: 5,000), three seeds
    "paper": Preset(
        seeds=(0, 1, 2),
        frames={"*": 10_000, "PQC-NOMA-v0": 5_000},
        eval_frames={"*": 2_000},
    ),
}
