"""A sped or reversed voice of the preview mix reads the same samples however the player walks through it:
block by block, all at once, or after jumping back."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from editor.media import synth
from editor.media.audio_decoding import AudioReader
from editor.playback.timed_sound import TimedSound

RATE = 48000
FPS = Fraction(30)


@pytest.fixture(scope="module")
def tone(tmp_path_factory):
    return synth.tone(tmp_path_factory.mktemp("timed") / "t.wav", hz=440, seconds=3.0, sample_rate=RATE, channels=2)


@pytest.mark.parametrize("speed", [Fraction(2), Fraction(-1, 2), Fraction(-1)])
def test_blocks_jumps_and_one_read_give_the_same_samples(tone, speed):
    frames = 30
    length = frames * RATE // 30

    def sound():
        return TimedSound(AudioReader(str(tone), RATE), Fraction(2) if speed < 0 else Fraction(0), frames, speed,
                          FPS, RATE)

    whole = sound().read(0, length)
    assert float(np.sqrt(np.mean(whole[: length - RATE // 20] ** 2))) > 0.05     # it sounds throughout
    walker = sound()
    blocks = np.concatenate([walker.read(k, 1024) for k in range(0, length, 1024)])[:length]
    assert np.array_equal(blocks, whole)
    again = walker.read(RATE // 4, 4096)                                        # a jump back restarts
    assert walker.restarts == 2
    assert np.array_equal(again, whole[RATE // 4:RATE // 4 + 4096])


def test_past_its_source_a_voice_is_silent(tone):
    sound = TimedSound(AudioReader(str(tone), RATE), Fraction(1, 2), 30, Fraction(-1), FPS, RATE)
    out = sound.read(0, RATE)
    assert float(np.abs(out[: RATE // 2 - 10]).max()) > 0.05       # half a second of source, backwards
    assert float(np.abs(out[RATE // 2 + 10:]).max()) == 0.0
