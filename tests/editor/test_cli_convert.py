"""`promptcut convert IN OUT` chooses both formats by extension and works end to end with other editors'
files (run as a user runs it: a separate process, real files, real ffmpeg), or refuses by name in one line."""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from editor.interchange.formats import read_timeline
from editor.media import synth
from editor.media.probe import media_source_from_info, probe
from editor.model import MediaClip, Settings, Timeline, TrackKind
from editor.project import load_project, save_project

SAMPLES = Path(__file__).parent / "interchange" / "samples"


def promptcut(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("PROMPTCUT_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "editor.cli", *args], capture_output=True, text=True, env=env,
                          timeout=300)


def one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode != 0, done
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    return lines[0]


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A project of two cuts on V1 and their sound on A1, over real media."""
    folder = tmp_path_factory.mktemp("project")
    tl = Timeline.empty(Settings(320, 180, Fraction(30), 48000), video_tracks=1, audio_tracks=1)
    for key, color in (("red", "red"), ("blue", "blue")):
        tl.media[key] = media_source_from_info(probe(synth.color_clip(folder / f"{key}.mp4", color, 3.0)), key)
    tl.video_tracks[0].add(MediaClip(id="v1", start=0, duration=40, source_in=5, name="Red", media="red"))
    tl.video_tracks[0].add(MediaClip(id="v2", start=50, duration=30, source_in=0, name="Blue", media="blue"))
    tl.audio_tracks[0].add(MediaClip(id="a1", start=0, duration=40, source_in=5, name="Red", media="red"))
    tl.check()
    path = folder / "cut.promptcut"
    save_project(tl, path)
    return path


def cuts(tl: Timeline, index: int = 0) -> list[tuple[str, int, int, int]]:
    return [(c.name, c.start, c.duration, c.source_in) for c in tl.tracks[index].clips]


@pytest.mark.parametrize("suffix", [".xml", ".fcpxml", ".edl", ".aaf", ".otioz", ".otiod", ".otio"])
def test_a_project_converts_to_another_editors_file_and_back(project: Path, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"cut{suffix}"
    done = promptcut("convert", str(project), str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"wrote {out}"
    back = tmp_path / "back.promptcut"
    done = promptcut("convert", str(out), str(back))
    assert done.returncode == 0, done.stderr
    tl = load_project(back).timeline
    assert cuts(tl) == [("Red", 0, 40, 5), ("Blue", 50, 30, 0)]
    assert all(m.online for m in tl.media.values())
    if suffix == ".edl":
        assert [t.kind for t in tl.tracks] == [TrackKind.VIDEO]
    else:
        assert [t.kind for t in tl.tracks] == [TrackKind.VIDEO, TrackKind.AUDIO]
        assert cuts(tl, 1) == [("Red", 0, 40, 5)]


def test_an_edl_converts_to_otio(project: Path, tmp_path: Path) -> None:
    edl = tmp_path / "a.edl"
    assert promptcut("convert", str(project), str(edl)).returncode == 0
    done = promptcut("convert", str(edl), str(tmp_path / "b.otio"))
    assert done.returncode == 0, done.stderr
    assert "frame rate" not in done.stderr   # ours says its exact rate in a comment: no guess
    assert cuts(read_timeline(tmp_path / "b.otio").timeline) == [("Red", 0, 40, 5), ("Blue", 50, 30, 0)]


def test_an_otiod_bundle_is_replaced_by_a_later_convert_with_y(project: Path, tmp_path: Path) -> None:
    bundle = tmp_path / "cut.otiod"
    assert promptcut("convert", str(project), str(bundle)).returncode == 0
    line = one_line_error(promptcut("convert", str(project), str(bundle)))
    assert "exists" in line   # without -y an earlier bundle is kept
    done = promptcut("convert", str(project), str(bundle), "-y")
    assert done.returncode == 0, done.stderr
    done = promptcut("convert", str(bundle), str(bundle), "-y")   # over the very bundle it read, media inside
    assert done.returncode == 0, done.stderr
    tl = read_timeline(bundle).timeline
    assert cuts(tl) == [("Red", 0, 40, 5), ("Blue", 50, 30, 0)]
    assert all(m.online and Path(m.path).is_relative_to(bundle) for m in tl.media.values())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cut.otiod"]   # no temporary left beside it


@pytest.mark.parametrize("sample", ["premiere_example.xml", "fcpx_project.fcpxml", "avid_example.edl",
                                    "multitrack.aaf.gz", "kdenlive_example_v221170.kdenlive",
                                    "otioconvert_sample.otioz", "otioconvert_sample.otiod"])
def test_other_tools_files_convert_to_a_project(tmp_path: Path, sample: str) -> None:
    source = tmp_path / sample.removesuffix(".gz")
    if sample.endswith(".gz"):
        source.write_bytes(gzip.decompress((SAMPLES / sample).read_bytes()))
    elif (SAMPLES / sample).is_dir():
        shutil.copytree(SAMPLES / sample, source)
    else:
        shutil.copy(SAMPLES / sample, source)
    done = promptcut("convert", str(source), str(tmp_path / "mine.promptcut"))
    assert done.returncode == 0, done.stderr
    tl = load_project(tmp_path / "mine.promptcut").timeline
    assert tl.video_tracks and any(track.clips for track in tl.video_tracks)
    tl.check()


def test_an_edl_of_several_video_tracks_is_refused_by_name(project: Path, tmp_path: Path) -> None:
    one = load_project(project).timeline
    tl = Timeline.empty(one.settings, video_tracks=2, audio_tracks=0)
    tl.media.update(one.media)
    tl.video_tracks[0].add(MediaClip(id="under", start=0, duration=10, media="red"))
    tl.video_tracks[1].add(MediaClip(id="over", start=0, duration=10, media="blue"))
    two = tmp_path / "two.promptcut"
    save_project(tl, two)
    line = one_line_error(promptcut("convert", str(two), str(tmp_path / "x.edl")))
    assert "EDL export needs a single video track" in line
    assert not (tmp_path / "x.edl").exists()


@pytest.mark.parametrize("output, says", [
    ("x.kdenlive", "Kdenlive export is not supported: write .otio or .xml"),
    ("x.mp4", ".mp4 is not a timeline file PromptCut writes (it writes .otio"),
])
def test_an_output_it_cannot_write_is_refused_by_name(project: Path, tmp_path: Path, output: str, says: str) -> None:
    line = one_line_error(promptcut("convert", str(project), str(tmp_path / output)))
    assert says in line
    assert not (tmp_path / output).exists()


def test_an_input_that_is_not_a_timeline_is_refused_by_name(tmp_path: Path) -> None:
    video = synth.color_clip(tmp_path / "x.mp4", "red", 0.5)
    line = one_line_error(promptcut("convert", str(video), str(tmp_path / "y.otio")))
    assert ".mp4 is not a file PromptCut opens (projects are .promptcut; timelines .otio" in line
    assert "JSON" not in line


def test_a_damaged_edl_is_not_called_json(tmp_path: Path) -> None:
    edl = tmp_path / "broken.edl"
    edl.write_text("TITLE: broken\n001  AX V C 01:00:00:00\n")
    line = one_line_error(promptcut("convert", str(edl), str(tmp_path / "y.otio")))
    assert str(edl) in line and "JSON" not in line


def test_a_hostile_xml_is_one_line(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xml"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
                    "<xmeml version='4'><sequence><name>&b;</name></sequence></xmeml>")
    line = one_line_error(promptcut("convert", str(bomb), str(tmp_path / "y.otio")))
    assert "declares XML entities" in line


@pytest.mark.parametrize("command", [["fill"], ["export", "--generate"]])
def test_generating_into_another_editors_file_is_refused_before_anything_runs(
        project: Path, tmp_path: Path, command: list[str]) -> None:
    """Takes are saved into the document; an XML cannot hold a generated shot, so the user is sent to a project."""
    xml = tmp_path / "cut.xml"
    assert promptcut("convert", str(project), str(xml)).returncode == 0
    before = xml.read_bytes()
    args = [*command, str(xml)] + (["-o", str(tmp_path / "out.mp4")] if command[0] == "export" else [])
    line = one_line_error(promptcut(*args))
    assert "cannot be saved into this format" in line and "promptcut convert" in line
    assert xml.read_bytes() == before and not (tmp_path / "out.mp4").exists()
