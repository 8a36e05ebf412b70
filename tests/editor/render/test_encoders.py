"""Encoder choice with the real ffmpeg: hardware encoders only when a test encode works, else a fallback."""

from __future__ import annotations

import pytest

from editor.render import available_encoders, choose_encoder
from editor.render.encoders import probe_encoder


def test_software_encoders_are_available():
    found = available_encoders()
    assert found[:2] == ["libx264", "libx265"]
    assert choose_encoder(None) == ("libx264", None)
    assert choose_encoder("libx265") == ("libx265", None)
    assert choose_encoder("HEVC") == ("libx265", None)


@pytest.mark.parametrize("requested, fallback", [("h264_nvenc", "libx264"), ("hevc_nvenc", "libx265"),
                                                 ("h264_vaapi", "libx264")])
def test_unusable_hardware_encoder_falls_back_with_a_note(requested, fallback):
    works, _ = probe_encoder(requested)
    if works:
        pytest.skip(f"{requested} works on this machine")
    encoder, note = choose_encoder(requested)
    assert encoder == fallback
    assert note is not None and note.startswith(f"{requested} is not usable here (") and note.endswith(
        f"using {fallback} instead")
    assert requested not in available_encoders()


def test_nvenc_note_says_why():
    works, reason = probe_encoder("h264_nvenc")
    if works:
        pytest.skip("NVENC works here")
    assert reason   # e.g. "Cannot load libcuda.so.1" or "No capable devices found"
    assert reason in choose_encoder("h264_nvenc")[1]


def test_unknown_encoder_is_refused():
    with pytest.raises(ValueError, match=r"unknown encoder 'divx' \(choose from: libx264, libx265, h264_nvenc"):
        choose_encoder("divx")
