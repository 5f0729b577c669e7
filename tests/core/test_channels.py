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
