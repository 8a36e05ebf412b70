"""A generated sound on the timeline exports where it sits: the take the tiny Stable Audio model made (a real
WAV with its sidecar), held by a GeneratedClip on an audio track, is heard from the clip's start to its end
and nowhere else, at its own level."""

from __future__ import annotations

import numpy as np
import pytest
import render_decode as d
from render_support import add_media, place_clip, timeline

from editor.media import synth
from editor.model import GeneratedClip, GenerationSpec, Take, new_id
from editor.render import export, resolve_settings

FPS = 30
START, LENGTH = 30, 45  # the sound plays from 1 s to 2.5 s of a 3.5 s cut


@pytest.fixture(scope="module")
def take(hermetic_env, tmp_path_factory):
    """The sound job's WAV, made through the audio backend and written as the worker writes it."""
    from generation.audio.backend import AudioBackend
    from generation.audio.job_spec import AudioJobSpec
    from generation.audio.writer import write_audio_result

    spec = AudioJobSpec.create("sound", "tiny-stable-audio", "rain on a tin roof", seconds=1.5, seed=5)
    result = AudioBackend(device="cpu", models_root=hermetic_env["PROMPTCUT_MODELS"]).run(spec)
    out = tmp_path_factory.mktemp("sound-take") / f"{spec.content_hash()}.wav"
    path, _sidecar = write_audio_result(result, out)
    return spec, path, result


def sound_clip(tl, spec, path) -> GeneratedClip:
    media_id = add_media(tl, path)
    clip = GeneratedClip(
        id=new_id("c"), start=START, duration=LENGTH,
        spec=GenerationSpec(prompt=spec.prompt, kind="sound", model=spec.model, seed=spec.seed),
        takes=(Take(media_id, spec.content_hash()),), active_take=0,
    )
    tl.audio_tracks[0].add(clip)
    return clip


def test_the_generated_sound_is_heard_where_its_clip_sits(take, tmp_path):
    spec, path, result = take
    tl = timeline()
    picture = synth.color_clip(tmp_path / "night.mp4", "navy", 3.5, size=(180, 320), tone_hz=None)
    place_clip(tl, 0, picture, 0, 105)  # a silent picture under the whole cut
    clip = sound_clip(tl, spec, path)
    source = tl.media[clip.media_id()]
    assert source.has_audio and not source.has_video and float(source.duration) == pytest.approx(1.5, abs=1e-3)
    tl.check()

    exported = export(tl, tmp_path / "rain.mp4", resolve_settings(tl))
    samples, rate = d.audio(exported.path)
    assert rate == 48000 and samples.shape == (2, int(3.5 * rate))

    own = float(np.sqrt(np.mean(np.square(result.samples))))  # the take's level at 44.1 kHz
    assert own > 0.05
    assert d.rms(samples, rate, 0.0, 0.99) < 1e-3                              # silence before the clip
    assert d.rms(samples, rate, 1.01, 2.49) == pytest.approx(own, rel=0.1)   # the sound, at its own level
    assert d.rms(samples, rate, 2.51, 3.5) < 1e-3                             # and silence after it

    # It starts on the clip's first frame: the first loud sample is within a few milliseconds of 1 s.
    loud = np.flatnonzero(np.abs(samples).max(axis=0) > 0.02)
    assert loud[0] / rate == pytest.approx(START / FPS, abs=0.01)
    assert loud[-1] / rate == pytest.approx((START + LENGTH) / FPS, abs=0.01)

    # Both channels come through as the model made them (stereo, not a mono fold-down).
    left, right = samples[0, int(1.05 * rate):int(2.45 * rate)], samples[1, int(1.05 * rate):int(2.45 * rate)]
    assert np.abs(left - right).max() > 0.05
