"""The single envs' seeded trajectories are unchanged by issue 19's refactor (tests/fingerprint.py).

``RENAMED`` maps, per id, a recorded info key to the key that holds the same quantity now.
``OLD_MODE`` (``benchmarks.env_speed.SAME_MODEL``, their one home) passes, per id, the kwargs that
restore a model default which another issue changed deliberately after the fingerprints were
recorded (so the refactor is still checked against the pre-refactor trajectories); ``RENAMED``
maps info keys renamed since. Info keys added since the
recording are not compared.
"""

from __future__ import annotations

import json

import pytest

from benchmarks.env_speed import SAME_MODEL as OLD_MODE
from tests import fingerprint

STORED = json.loads(fingerprint.PATH.read_text())
# info keys renamed since the recording: {env id: {recorded key: key now}}
RENAMED: dict[str, dict[str, str]] = {
    "MultiServerIoT-v0": {"info.fairness": "info.cost_fairness"},  # issue 17: fairness is over resources now
    # issue 18: the per-slot surrogate, by name; issue 19: "rates" held bits per frame, where WPMEC-v0's
    # "rates" are bit/s (one name, one unit): the same numbers are "served_bits" now
    "PQC-NOMA-v0": {"info.objective": "info.surrogate", "info.rates": "info.served_bits"},
    "OFDMA-Consistency-v0": {"info.delay": "info.latency"},  # issue 19: the delay quantity's one name
}


@pytest.mark.parametrize("env_id", sorted(STORED))
@pytest.mark.parametrize("label", sorted(fingerprint.CONFIGS))
def test_single_env_trajectories_unchanged(env_id, label):
    kwargs = {**fingerprint.CONFIGS[label], **OLD_MODE.get(env_id, {})}
    for seed, recorded in STORED[env_id][label].items():
        now = fingerprint.trajectory_hashes(env_id, int(seed), kwargs)
        renamed = RENAMED.get(env_id, {})
        moved = sorted(key for key in recorded if now.get(renamed.get(key, key)) != recorded[key])
        assert not moved, f"{env_id} {label} seed {seed}: {moved} differ from the recorded trajectory"
