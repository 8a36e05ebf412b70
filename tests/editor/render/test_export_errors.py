"""Exports that cannot or must not finish: refused up front, failing, cancelled, interrupted, odd names."""

from __future__ import annotations

import dataclasses
import os
import shutil
import threading
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import render_decode as d
from render_support import add_media, place_clip, timeline

from editor.model import GeneratedClip, GenerationSpec, MediaKind, MediaSource, Take
from editor.render import ExportCancelled, ExportError, export, resolve_settings


def ffmpeg_children() -> list[int]:
    """Live ffmpeg processes whose parent is this test process (the audio tests' sound server is a child too)."""
    me, found = os.getpid(), []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == me and fields[0] != "Z" and "ffmpeg" in name:
            found.append(int(entry))
    return found


def leftovers(folder: Path, *expected: str) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name not in expected)


def missing_media(tl, path: str, online: bool = True) -> str:
    tl.media["gone"] = MediaSource("gone", path, MediaKind.VIDEO, Fraction(2), True, True, 320, 180, online=online)
    return "gone"


@pytest.fixture
def long_timeline(media):
    """Eight 2-second clips at 270x480: long enough to interrupt at any stage."""
    tl = timeline()
    for i in range(8):
        place_clip(tl, 0, media["red" if i % 2 else "blue"], i * 60, 60)
    tl.check()
    return tl


def test_missing_media_is_named_before_rendering(media, tmp_path):
    tl = timeline()
    place_clip(tl, 0, media["red"], 0, 30)
    tl.video_tracks[0].add(dataclasses.replace(tl.video_tracks[0].clips[0], id="x", start=30,
                                               media=missing_media(tl, str(tmp_path / "no such.mp4"))))
    tl.check()
    with pytest.raises(ExportError, match=r"^media missing: .*no such\.mp4$"):
        export(tl, tmp_path / "out.mp4", resolve_settings(tl))
    assert leftovers(tmp_path) == []


def test_offline_media_is_refused(media, tmp_path):
    tl = timeline()
    place_clip(tl, 0, media["red"], 0, 30)
    tl.video_tracks[0].add(dataclasses.replace(tl.video_tracks[0].clips[0], id="x", start=30,
                                               media=missing_media(tl, str(media["blue"]), online=False)))
    with pytest.raises(ExportError, match=r"^media offline: .*blue\.mp4$"):
        export(tl, tmp_path / "out.mp4", resolve_settings(tl))
    assert not (tmp_path / "out.mp4").exists()


def test_unreadable_media_reports_the_probe_message(media, tmp_path):
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(Path(media["red"]).read_bytes()[:2000])
    tl = timeline()
    clip = place_clip(tl, 0, media["red"], 0, 30)
    tl.media[clip.media] = dataclasses.replace(tl.media[clip.media], path=str(broken))
    with pytest.raises(ExportError, match="broken.mp4"):
        export(tl, tmp_path / "out.mp4", resolve_settings(tl))


def test_pending_generated_segments_are_listed(media, tmp_path):
    tl = timeline()
    place_clip(tl, 0, media["red"], 0, 30)
    for i, prompt in enumerate(("a cat on a skateboard", "sunset over the sea")):
        tl.video_tracks[0].add(GeneratedClip(id=f"g{i}", start=30 + 30 * i, duration=30, name="",
                                             spec=GenerationSpec(prompt=prompt)))
    tl.check()
    with pytest.raises(ExportError, match=r"^2 generated segments have no take yet: 'a cat on a skateboard' at "
                                          r"00:00:01:00, 'sunset over the sea' at 00:00:02:00$"):
        export(tl, tmp_path / "out.mp4", resolve_settings(tl))
    assert leftovers(tmp_path) == []


def test_generated_clip_with_a_take_renders_its_media(media, tmp_path):
    tl = timeline()
    take = add_media(tl, media["blue"])
    tl.video_tracks[0].add(GeneratedClip(id="g", start=0, duration=20, spec=GenerationSpec(prompt="blue"),
                                         takes=(Take(take, "h"),), active_take=0))
    tl.check()
    result = export(tl, tmp_path / "gen.mp4", resolve_settings(tl))
    assert np.abs(d.rgb_at(result.path, 0.3, d.CENTRE) - [0, 0, 255]).max() < 24


def _unwritable_cases(tmp_path: Path) -> list[tuple[Path, str]]:
    cases = [(tmp_path / "no folder" / "out.mp4", "no such folder")]
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    if not os.access(locked, os.W_OK):           # not root: permissions hold
        cases.append((locked / "out.mp4", "permission denied"))
    elif Path("/sys").is_dir():                   # root: sysfs refuses new files anyway
        cases.append((Path("/sys/promptcut-test.mp4"), "(permission denied|operation not permitted|read-only)"))
    return cases


def test_unwritable_output_folder_is_refused_before_rendering(media, tmp_path):
    tl = timeline()
    place_clip(tl, 0, media["red"], 0, 30)
    for out, reason in _unwritable_cases(tmp_path):
        with pytest.raises(ExportError, match=rf"^cannot write to .*: {reason}"):
            export(tl, out, resolve_settings(tl))
        assert not out.exists()
    with pytest.raises(ExportError, match="it is a folder"):
        export(tl, tmp_path, resolve_settings(tl))


def test_empty_timeline_is_refused(tmp_path):
    tl = timeline()
    with pytest.raises(ExportError, match="nothing to export"):
        export(tl, tmp_path / "out.mp4", resolve_settings(tl))


def test_odd_names_for_media_and_output(media, tmp_path):
    folder = tmp_path / "a 'folder' [x]:%d ü"
    folder.mkdir()
    clip_path = folder / "clip 50% 'q' \"dq\" [1] :ü %d.mp4"
    still_path = folder / "still %03d [x]'.png"
    shutil.copy(media["red"], clip_path)
    shutil.copy(media["still"], still_path)
    tl = timeline()
    place_clip(tl, 0, clip_path, 0, 15)
    place_clip(tl, 0, still_path, 15, 15)
    out = folder / "out 'it''s' \"x\" 100% [a]:b ü %d.mp4"
    result = export(tl, out, resolve_settings(tl))
    assert result.path == out and out.is_file()
    assert np.abs(d.rgb_at(out, 0.2, d.CENTRE) - [255, 0, 0]).max() < 24
    assert np.abs(d.rgb_at(out, 0.7, d.CENTRE) - [255, 255, 0]).max() < 24
    assert leftovers(folder, clip_path.name, still_path.name, out.name) == []


@pytest.mark.parametrize("stage", ["rendering", "joining"])
def test_cancel_leaves_nothing_behind(long_timeline, tmp_path, stage):
    out = tmp_path / "cancelled.mp4"
    cancel = threading.Event()
    seen = []

    def progress(p):
        seen.append(p)
        if p.stage == stage and (stage != "rendering" or p.done_frames > 0):
            cancel.set()

    with pytest.raises(ExportCancelled):
        export(long_timeline, out, resolve_settings(long_timeline, size=(270, 480)), progress=progress,
               cancel=cancel)
    assert any(p.stage == stage for p in seen)
    assert leftovers(tmp_path) == []
    assert ffmpeg_children() == []


def test_cancel_from_another_thread(long_timeline, tmp_path):
    out = tmp_path / "cancelled.mp4"
    cancel = threading.Event()
    started = threading.Event()
    errors: list[BaseException] = []

    def work():
        try:
            export(long_timeline, out, resolve_settings(long_timeline, size=(270, 480)), cancel=cancel,
                   progress=lambda p: started.set() if p.stage == "rendering" else None)
        except BaseException as exc:   # noqa: BLE001 - handed to the test thread
            errors.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    assert started.wait(30)
    cancel.set()
    thread.join(30)
    assert not thread.is_alive()
    assert len(errors) == 1 and isinstance(errors[0], ExportCancelled)
    assert leftovers(tmp_path) == []
    assert ffmpeg_children() == []


def test_keyboard_interrupt_cleans_up_and_propagates(long_timeline, tmp_path):
    out = tmp_path / "interrupted.mp4"

    def progress(p):
        if p.stage == "rendering" and p.done_frames > 0:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        export(long_timeline, out, resolve_settings(long_timeline, size=(270, 480)), progress=progress)
    assert leftovers(tmp_path) == []
    assert ffmpeg_children() == []


def test_failing_encoder_gives_one_line_error_and_keeps_existing_output(media, tmp_path):
    tl = timeline()
    place_clip(tl, 0, media["red"], 0, 30)
    out = tmp_path / "keep.mp4"
    out.write_bytes(b"the user's earlier export")
    broken = dataclasses.replace(resolve_settings(tl), encoder="h264_nvenc")   # forced past choose_encoder
    with pytest.raises(ExportError) as info:
        export(tl, out, broken)
    message = str(info.value)
    assert message.startswith("ffmpeg failed rendering at 00:00:00:00: ") and "\n" not in message
    assert "Traceback" not in message
    assert out.read_bytes() == b"the user's earlier export"
    assert leftovers(tmp_path, "keep.mp4") == []
    assert ffmpeg_children() == []
    # A good export then replaces it.
    export(tl, out, resolve_settings(tl))
    assert d.stream_info(out).frames == 30


def test_bad_encoder_option_error_names_the_cause(media, tmp_path):
    tl = timeline()
    place_clip(tl, 0, media["red"], 0, 10)
    broken = dataclasses.replace(resolve_settings(tl), encoder_preset="warp-speed")
    with pytest.raises(ExportError, match="invalid preset 'warp-speed'"):
        export(tl, tmp_path / "x.mp4", broken)
    assert leftovers(tmp_path) == []


def test_progress_is_throttled_and_complete(long_timeline, tmp_path):
    seen = []
    result = export(long_timeline, tmp_path / "p.mp4", resolve_settings(long_timeline), progress=seen.append)
    stages = [p.stage for p in seen]
    assert stages[0] == "checking" and stages[-1] == "done" and "rendering" in stages and "joining" in stages
    fractions = [p.fraction for p in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert seen[-1].done_frames == seen[-1].total_frames == result.frames == 480
    rendering = [p for p in seen if p.stage == "rendering"]
    assert len(rendering) <= 4 + 12 * max(1.0, rendering[-1].elapsed_s - rendering[0].elapsed_s)


def test_very_long_output_name(media, tmp_path):
    tl = timeline()
    place_clip(tl, 0, media["red"], 0, 10)
    out = tmp_path / ("a very long name " * 14 + ".mp4")
    assert len(out.name) > 240
    export(tl, out, resolve_settings(tl))
    assert d.stream_info(out).frames == 10 and leftovers(tmp_path, out.name) == []
