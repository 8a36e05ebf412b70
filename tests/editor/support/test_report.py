"""Report a Problem's zip: logs, doctor, versions and the OS; never media; the project only when asked; written
atomically with one-line failures."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest

from editor.model import GeneratedClip, GenerationSpec, Timeline
from editor.project.format import from_dict
from editor.support import report
from editor.support.report import ProjectCopy, ReportError, doctor_text, log_files, project_copy, write_report

VERSIONS = [("PromptCut", "0.1.0"), ("OS", "Linux 6.1")]


@pytest.fixture
def log_dir(tmp_path, monkeypatch) -> Path:
    """A user log folder holding rotated logs of the editor and the generator, and things that are not logs."""
    folder = tmp_path / "logs"
    folder.mkdir()
    monkeypatch.setenv("PROMPTCUT_LOG_DIR", str(folder))
    (folder / "promptcut.log").write_text("WARNING export: a clip went offline\n")
    (folder / "promptcut.log.1").write_text("ERROR Traceback (most recent call last): ...\n")
    (folder / "generator.log").write_text("INFO worker started\n")
    (folder / "clip.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42")   # media never goes in
    (folder / "notes.txt").write_text("not a log")
    (folder / "elsewhere.log").symlink_to(folder / "clip.mp4")        # a link is not one of our logs
    (folder / "old.log.d").mkdir()
    return folder


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as book:
        return {name.removeprefix("promptcut-report/"): book.read(name) for name in book.namelist()}


def shot_timeline() -> Timeline:
    tl = Timeline.empty(video_tracks=1, audio_tracks=0)
    tl.video_tracks[0].clips.append(GeneratedClip("g1", 0, 48, spec=GenerationSpec("a red kite over the sea")))
    tl.check()
    return tl


def test_the_log_folder_is_the_one_promptcut_log_dir_names(log_dir):
    assert report.log_folder() == log_dir
    assert [p.name for p in log_files(log_dir)] == ["generator.log", "promptcut.log", "promptcut.log.1"]


def test_a_missing_log_folder_has_no_logs(tmp_path):
    assert log_files(tmp_path / "never-made") == []
    assert log_files(None) == []


def test_the_zip_holds_the_logs_doctor_versions_and_a_readme_and_no_media_or_project(log_dir, tmp_path):
    target = write_report(tmp_path / "report.zip", versions=VERSIONS, doctor="OK   ffmpeg  7.1\n",
                          logs=log_files(log_dir))
    inside = members(target)
    assert sorted(inside) == ["README.txt", "doctor.txt", "logs/generator.log", "logs/promptcut.log",
                              "logs/promptcut.log.1", "versions.txt"]
    assert inside["logs/promptcut.log.1"] == (log_dir / "promptcut.log.1").read_bytes()
    assert inside["versions.txt"].decode() == "PromptCut: 0.1.0\nOS: Linux 6.1\n"
    assert inside["doctor.txt"].decode() == "OK   ffmpeg  7.1\n"
    assert "no project and no prompts" in inside["README.txt"].decode()
    assert not any(b"ftypmp42" in data for data in inside.values())


def test_the_project_and_its_prompts_go_in_only_when_passed(tmp_path):
    tl = shot_timeline()
    without = members(write_report(tmp_path / "a.zip", versions=VERSIONS, doctor=""))
    assert not any(name.startswith("project/") for name in without)
    assert b"a red kite" not in b"".join(without.values())

    copy = project_copy(tl, tmp_path / "film.promptcut")
    inside = members(write_report(tmp_path / "b.zip", versions=VERSIONS, doctor="", project=copy))
    document = json.loads(inside["project/film.promptcut"])
    reopened = from_dict(document, tmp_path).timeline
    assert reopened.video_tracks[0].clips[0].spec.prompt == "a red kite over the sea"
    assert "chose to include the project" in inside["README.txt"].decode()


# What a log line carrying a prompt looks like: a spec printed whole, a request as JSON, and the text encoder's
# warning that quotes the end of a long prompt (diffusers logs it at WARNING, so it reaches the log file).
PROMPT_LINES = (
    "2026-05-01 10:00:00 123 window WARNING promptcut: submitted GenerationSpec(prompt='a red kite over the sea', "
    "negative_prompt='blurry', seed=3)\n"
    '2026-05-01 10:00:01 124 generator ERROR promptcut.worker: bad request {"prompt": "a red kite over the sea", '
    '"steps": 4}\n'
    "2026-05-01 10:00:02 124 generator WARNING diffusers.pipelines.ltx.pipeline_ltx: The following part of your "
    "input was truncated because `max_sequence_length` is set to  128 tokens: over the sea\n"
    "2026-05-01 10:00:03 124 generator ERROR promptcut.worker: job j7 (model ltx-video) failed\n"
)


def test_prompts_in_the_logs_are_left_out_unless_the_project_goes_in(tmp_path):
    folder = tmp_path / "logs"
    folder.mkdir()
    (folder / "promptcut.log").write_text(PROMPT_LINES, encoding="utf-8")
    (folder / "generator.log").write_bytes(b"cut mid-character by rotation \xe2\x82\n")

    inside = members(write_report(tmp_path / "a.zip", versions=VERSIONS, doctor="", logs=log_files(folder)))
    text = inside["logs/promptcut.log"].decode()
    assert "red kite" not in text and "over the sea" not in text and "blurry" not in text
    assert text.count("[prompt left out]") == 4
    assert "job j7 (model ltx-video) failed" in text and "seed=3" in text and '"steps": 4' in text
    assert inside["logs/generator.log"] == (folder / "generator.log").read_bytes()
    assert "[prompt left out]" in inside["README.txt"].decode()

    # The user ticked the box: the project goes in with its prompts, and the logs as they are.
    copy = project_copy(shot_timeline(), tmp_path / "film.promptcut")
    inside = members(write_report(tmp_path / "b.zip", versions=VERSIONS, doctor="", logs=log_files(folder),
                                  project=copy))
    assert inside["logs/promptcut.log"].decode() == PROMPT_LINES


# A pipeline that decodes the cut-off end to one string keeps the prompt's line breaks: an older log holds the
# warning over several lines, and every one of them is the user's text, up to the next record.
MULTI_LINE_WARNING = (
    "2026-05-01 10:00:02,120 124 generator WARNING diffusers.pipelines.hunyuan_video.pipeline_hunyuan_video: The "
    "following part of your input was truncated because CLIP can only handle sequences up to 77 tokens: the keeper\n"
    "climbs the stairs\n"
    "\n"
    "and lights the secret lamp\n"
    "2026-05-01 10:00:03,001 124 generator ERROR promptcut.worker: job j7 (model tiny-ltx) failed\n"
    "--- generator starting 2026-05-01 10:00:04\n"
    "The following part of your input was truncated because `max_sequence_length` is set to  16 tokens: a gull\n"
    "over the secret bay\n"
)


def test_a_truncation_warning_over_several_lines_is_left_out_to_the_next_record(tmp_path):
    folder = tmp_path / "logs"
    folder.mkdir()
    (folder / "generator.log.1").write_text(MULTI_LINE_WARNING, encoding="utf-8")
    text = members(write_report(tmp_path / "a.zip", versions=VERSIONS, doctor="",
                                logs=log_files(folder)))["logs/generator.log.1"].decode()
    assert "secret" not in text and "keeper" not in text and "stairs" not in text and "gull" not in text
    assert text == (
        "2026-05-01 10:00:02,120 124 generator WARNING diffusers.pipelines.hunyuan_video.pipeline_hunyuan_video: The "
        "following part of your input was truncated because CLIP can only handle sequences up to 77 tokens: "
        "[prompt left out]\n"
        "2026-05-01 10:00:03,001 124 generator ERROR promptcut.worker: job j7 (model tiny-ltx) failed\n"
        "--- generator starting 2026-05-01 10:00:04\n"
        "The following part of your input was truncated because `max_sequence_length` is set to  16 tokens: "
        "[prompt left out]\n")


def test_an_unsaved_project_goes_in_as_untitled(tmp_path):
    copy = project_copy(shot_timeline(), None)
    assert copy.name == "untitled.promptcut"
    assert b"a red kite" in copy.data


def test_a_project_name_cannot_place_its_member_outside_the_report(tmp_path):
    inside = members(write_report(tmp_path / "r.zip", versions=VERSIONS, doctor="",
                                  project=ProjectCopy("../../etc/x.promptcut", b"{}")))
    assert "project/x.promptcut" in inside


def test_a_log_over_the_cap_is_left_out_with_a_note(log_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(report, "LOG_MAX_BYTES", 30)
    inside = members(write_report(tmp_path / "r.zip", versions=VERSIONS, doctor="", logs=log_files(log_dir)))
    assert "logs/promptcut.log.1" not in inside and "logs/generator.log" in inside
    assert "promptcut.log.1:" in inside["README.txt"].decode().split("Log files left out:")[1]


def test_an_existing_report_is_replaced_whole_and_no_temporary_is_left(tmp_path):
    target = tmp_path / "report.zip"
    target.write_bytes(b"old")
    write_report(target, versions=VERSIONS, doctor="new\n")
    assert members(target)["doctor.txt"] == b"new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.zip"]


def test_a_folder_at_the_target_is_one_line_and_nothing_is_written(tmp_path):
    (tmp_path / "report.zip").mkdir()
    with pytest.raises(ReportError) as refused:
        write_report(tmp_path / "report.zip", versions=VERSIONS, doctor="")
    assert str(refused.value) == "report.zip is a folder: choose a file name to write to"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.zip"]


def test_a_fifo_at_the_target_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "report.zip"
    os.mkfifo(fifo)
    with pytest.raises(ReportError, match="report.zip"):
        write_report(fifo, versions=VERSIONS, doctor="")
    assert fifo.is_fifo()


def test_a_folder_that_does_not_exist_is_one_line(tmp_path):
    with pytest.raises(ReportError) as refused:
        write_report(tmp_path / "gone" / "report.zip", versions=VERSIONS, doctor="")
    assert str(refused.value) == "The report could not be written to report.zip: No such file or directory"


def test_a_read_only_folder_is_one_line_and_leaves_nothing(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root writes into read-only folders")
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(ReportError, match="^The report could not be written to report.zip: Permission denied$"):
            write_report(folder / "report.zip", versions=VERSIONS, doctor="")
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o700)


def test_the_doctor_text_is_promptcut_doctors_findings_one_ascii_line_each():
    text = doctor_text()
    lines = text.splitlines()
    assert len(lines) >= 5
    assert all(line[:4] in {"OK  ", "WARN", "FAIL"} for line in lines)
    assert any(" ffmpeg " in line for line in lines)


def test_a_doctor_that_itself_fails_is_one_line_in_the_report():
    def broken() -> list:
        raise RuntimeError("ldd\nexploded")

    assert doctor_text(broken) == "promptcut doctor failed: RuntimeError: ldd exploded\n"
