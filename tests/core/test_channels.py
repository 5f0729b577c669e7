"""mec_gym.core.channels.RayleighFrames: block draws that hand out exactly the per-frame stream."""

from __future__ import annotations

import numpy as np

from mec_gym.core.channels import RayleighFrames


def test_frames_and_the_rewound_generator_are_those_of_per_frame_draws():
    for frames_taken in (0, 1, 7, 8, 9, 20):
        buffered, plain = np.random.default_rng(11), np.random.default_rng(11)
        frames = RayleighFrames(devices=3, frames_ahead=8)
        for _ in range(frames_taken):
            assert np.array_equal(frames.next_frame(buffered), plain.standard_exponential(3))
        frames.rewind()
        assert buffered.bit_generator.state == plain.bit_generator.state
        assert np.array_equal(buffered.random(5), plain.random(5))  # and other draws follow on


def test_a_replaced_generator_starts_a_new_block_and_the_old_one_is_rewound():
    old, new = np.random.default_rng(1), np.random.default_rng(2)
    old_plain, new_plain = np.random.default_rng(1), np.random.default_rng(2)
    frames = RayleighFrames(devices=4, frames_ahead=16)
    for _ in range(3):
        assert np.array_equal(frames.next_frame(old), old_plain.standard_exponential(4))
    assert np.array_equal(frames.next_frame(new), new_plain.standard_exponential(4))
    assert old.bit_generator.state == old_plain.bit_generator.state
    frames.rewind()
    assert new.bit_generator.state == new_plain.bit_generator.state


def test_handed_out_frames_cannot_be_written_into_the_block():
    frame = RayleighFrames(devices=2).next_frame(np.random.default_rng(0))
    assert not frame.flags.writeable


def test_batches_subsets_rewinds_and_new_generators_in_any_order_give_the_per_frame_stream():
    """Random interleavings of lockstep batches (shared blocks), subsets, lone frames, rewinds
    followed by other draws (a reset of one env or of all), and replaced generators: every env sees
    exactly its generator's per-frame draws."""
    devices, envs = 3, 5
    ops = np.random.default_rng(123)
    seeds = iter(range(1000, 2000))
    buffered, plain = [], []
    for _ in range(envs):
        seed = next(seeds)
        buffered.append(np.random.default_rng(seed))
        plain.append(np.random.default_rng(seed))
    frames = [RayleighFrames(devices, frames_ahead=8) for _ in range(envs)]
    batches = 0
    for step in range(900):
        op = "all" if step < 100 else ops.choice(["all"] * 8 + ["subset", "one", "reset", "reset all", "new generator"])
        if op == "all":
            got = RayleighFrames.next_frames(frames, buffered)
            for i in range(envs):
                assert np.array_equal(got[i], plain[i].standard_exponential(devices))
            batches += frames[0].group is not None
        elif op == "subset":
            picked = sorted(ops.choice(envs, size=ops.integers(2, envs + 1), replace=False).tolist())
            got = RayleighFrames.next_frames([frames[i] for i in picked], [buffered[i] for i in picked])
            for row, i in zip(got, picked):
                assert np.array_equal(row, plain[i].standard_exponential(devices))
        elif op == "one":
            i = int(ops.integers(envs))
            assert np.array_equal(frames[i].next_frame(buffered[i]), plain[i].standard_exponential(devices))
        elif op in ("reset", "reset all"):
            for i in range(envs) if op == "reset all" else [int(ops.integers(envs))]:
                frames[i].rewind()
                assert buffered[i].bit_generator.state == plain[i].bit_generator.state
                assert np.array_equal(buffered[i].random(2), plain[i].random(2))
                frames[i] = RayleighFrames(devices, frames_ahead=8)
        else:
            i, seed = int(ops.integers(envs)), next(seeds)
            old, old_plain = buffered[i], plain[i]
            buffered[i], plain[i] = np.random.default_rng(seed), np.random.default_rng(seed)
            if ops.random() < 0.5:  # its next frame comes with a batch
                continue
            assert np.array_equal(frames[i].next_frame(buffered[i]), plain[i].standard_exponential(devices))
            assert old.bit_generator.state == old_plain.bit_generator.state  # the old one was rewound
    assert batches > 200  # shared blocks did serve lockstep batches


def test_frames_stay_read_only_after_an_env_leaves_its_group_and_blocks_are_capped_in_size():
    rngs = [np.random.default_rng(seed) for seed in range(3)]
    frames = [RayleighFrames(devices=2) for _ in rngs]
    assert not RayleighFrames.next_frames(frames, rngs).flags.writeable  # the group's gather
    assert frames[0].group is not None
    assert not frames[0].next_frame(rngs[0]).flags.writeable  # alone, from the group's block
    assert RayleighFrames(devices=10).frames_ahead == 64
    assert RayleighFrames(devices=4096).frames_ahead * 4096 <= 8192
