"""mec_gym.core.memory: the heap padding a native vector env asks glibc for, and its opt-out."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from mec_gym.core import memory

PROBE = """
import ctypes, sys
from mec_gym.core import memory
calls = []
real = memory._glibc_mallopt
def spy():
    mallopt = real()
    if mallopt is None:
        return None
    def recording(parameter, value):
        calls.append((parameter, value))
        return mallopt(parameter, value)
    return recording
memory._glibc_mallopt = spy
import gymnasium as gym, mec_gym
envs = gym.make_vec("WPMEC-v0", num_envs=4)
gym.make_vec("WPMEC-v0", num_envs=4)  # a second env does not set it again
print(memory.keep_freed_heap(), calls)
"""


def _probe(**variables) -> str:
    env = {key: value for key, value in os.environ.items() if key not in ("MALLOC_TOP_PAD_", memory.ENV_VARIABLE)}
    env.update(variables)
    return subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True).stdout.split("\n")[-2]


@pytest.mark.skipif(memory._glibc_mallopt() is None, reason="glibc only")
def test_a_vector_env_sets_the_top_pad_once_per_process():
    assert _probe() == f"{memory.DEFAULT_TOP_PAD} [({memory.M_TOP_PAD}, {memory.DEFAULT_TOP_PAD})]"
    assert _probe(MEC_GYM_MALLOC_TOP_PAD="1048576") == f"1048576 [({memory.M_TOP_PAD}, 1048576)]"


def test_opting_out_leaves_malloc_alone():
    assert _probe(MEC_GYM_MALLOC_TOP_PAD="0") == "0 []"
    assert _probe(MALLOC_TOP_PAD_="131072") == "0 []"  # glibc's own setting stays in charge


def test_a_bad_setting_names_the_variable(monkeypatch):
    monkeypatch.setenv(memory.ENV_VARIABLE, "lots")
    with pytest.raises(ValueError, match="MEC_GYM_MALLOC_TOP_PAD must be a whole number of bytes >= 0"):
        memory.top_pad_bytes()
