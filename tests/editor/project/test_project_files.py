"""Project files on disk: atomic saves with backups, failures that leave no trace, paths, offline media."""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat
from fractions import Fraction
from pathlib import Path

import pytest

from editor.model import (
    GeneratedClip,
    GenerationSpec,
    Marker,
    MediaClip,
    MediaKind,
    MediaSource,
    Settings,
    Take,
    Timeline,
    Track,
    TrackKind,
)
from editor.project import FORMAT_VERSION, ProjectError, backup_path, load_project, save_project
from editor.project import store as store_module

FIXTURES = Path(__file__).parent / "fixtures"
ODD = "clip: 'ñ' [1] 100%.mp4"


def permissions_enforced() -> bool:
    """False for root (or a process with CAP_DAC_OVERRIDE), which reads and writes regardless of modes."""
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        probe_file = Path(d) / "locked"
        probe_file.write_text("x")
        probe_file.chmod(0)
        try:
            probe_file.read_text()
        except PermissionError:
            return True
        finally:
            probe_file.chmod(0o600)
    return False


def touch(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not really media: the project layer only checks that files exist")
    return str(path)


def project_timeline(folder: Path, outside: Path) -> Timeline:
    """A timeline whose media lies inside ``folder`` (some in sub-folders, odd names) and one file outside."""
    tl = Timeline(settings=Settings(width=1080, height=1920, fps=Fraction(30000, 1001)))
    tl.media = {
        "cam": MediaSource("cam", touch(folder / "media" / ODD), MediaKind.VIDEO, Fraction(1001, 100), True, True,
                           1920, 1080),
        "logo": MediaSource("logo", touch(folder / "logo \"v2\" #1.png"), MediaKind.IMAGE, None, True, False, 64, 64),
        "music": MediaSource("music", touch(outside / "library" / "música 50%.wav"), MediaKind.AUDIO, Fraction(30),
                             False, True),
        "take": MediaSource("take", touch(folder / "generated" / "deep" / "take[1].mp4"), MediaKind.VIDEO,
                            Fraction(2), True, False, 480, 832),
    }
    tl.video_tracks = [
        Track("V1", TrackKind.VIDEO, "V1", clips=[
            MediaClip("c1", 0, 90, 30, media="cam"),
            GeneratedClip("g1", 90, 48, spec=GenerationSpec("a kite", seed=7), takes=(Take("take", "h"),),
                          active_take=0),
            GeneratedClip("g2", 200, 30, spec=GenerationSpec("still pending")),
        ]),
        Track("V2", TrackKind.VIDEO, "logo", locked=True, clips=[MediaClip("c2", 0, 300, media="logo")]),
    ]
    tl.audio_tracks = [Track("A1", TrackKind.AUDIO, "A1", volume=0.5, clips=[MediaClip("c3", 0, 300, media="music")])]
    tl.markers = [Marker(90, "kite")]
    tl.check()
    return tl


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "Kite film [final]"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    return tmp_path / "elsewhere"


def litter(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# --- saving and loading --------------------------------------------------------------------------------


def test_save_and_load_round_trip(folder: Path, outside: Path) -> None:
    tl = project_timeline(folder, outside)
    path = folder / "film.promptcut"
    assert save_project(tl, path, metadata={"title": "Kite"}) == path
    loaded = load_project(path)
    assert loaded.timeline == tl
    assert loaded.offline == [] and loaded.warnings == []
    assert loaded.metadata == {"title": "Kite"} and loaded.path == path
    assert loaded.format_version == FORMAT_VERSION and not loaded.migrated
    assert litter(folder) == []
    assert not backup_path(path).exists()  # nothing to back up on the first save


def test_file_is_readable_json_with_relative_and_absolute_paths(folder: Path, outside: Path) -> None:
    path = folder / "film.promptcut"
    save_project(project_timeline(folder, outside), path)
    text = path.read_text(encoding="utf-8")
    assert ODD in text  # UTF-8, not \\u escapes
    data = json.loads(text)
    paths = {m["id"]: m["path"] for m in data["media"]}
    assert paths["cam"] == f"media/{ODD}"
    assert paths["logo"] == "logo \"v2\" #1.png"
    assert paths["take"] == "generated/deep/take[1].mp4"
    assert paths["music"] == str(outside / "library" / "música 50%.wav")


def test_moving_the_project_folder_with_its_media(folder: Path, outside: Path, tmp_path: Path) -> None:
    tl = project_timeline(folder, outside)
    save_project(tl, folder / "film.promptcut")
    moved = tmp_path / "archive" / "kite (moved)"
    moved.parent.mkdir()
    shutil.move(folder, moved)
    loaded = load_project(moved / "film.promptcut")
    assert loaded.offline == []
    media = loaded.timeline.media
    assert media["cam"].path == str(moved / "media" / ODD)
    assert media["take"].path == str(moved / "generated" / "deep" / "take[1].mp4")
    assert media["music"].path == tl.media["music"].path  # outside the folder: absolute, unchanged
    loaded.timeline.check()


def test_media_in_the_parent_folder_stays_absolute(folder: Path, tmp_path: Path) -> None:
    tl = Timeline.empty()
    tl.media["m"] = MediaSource("m", touch(tmp_path / "beside.mp4"), MediaKind.VIDEO, Fraction(1), True, False)
    folder.mkdir()
    save_project(tl, folder / "p.promptcut")
    assert json.loads((folder / "p.promptcut").read_text())["media"][0]["path"] == str(tmp_path / "beside.mp4")


def test_missing_media_comes_back_offline(folder: Path, outside: Path) -> None:
    tl = project_timeline(folder, outside)
    path = folder / "film.promptcut"
    save_project(tl, path)
    os.remove(tl.media["cam"].path)
    shutil.rmtree(outside)
    loaded = load_project(path)
    assert sorted(m.id for m in loaded.offline) == ["cam", "music"]
    assert all(not m.online for m in loaded.offline)
    assert loaded.timeline.media["take"].online
    assert {c.id for _, c in loaded.timeline.clips()} == {c.id for _, c in tl.clips()}  # the clips stay
    loaded.timeline.check()
    assert any(ODD in w and "offline" in w for w in loaded.warnings)
    assert any("música 50%.wav" in w for w in loaded.warnings)
    # Saving a project with offline media keeps their paths; they are still offline when read back.
    save_project(loaded.timeline, path)
    again = load_project(path)
    assert again.timeline == loaded.timeline
    assert again.timeline.media["cam"].path == tl.media["cam"].path


def test_load_without_checking_media(tmp_path: Path) -> None:
    loaded = load_project(FIXTURES / "format-1.promptcut", check_media=False)
    assert loaded.offline == [] and all(m.online for m in loaded.timeline.media.values())


def test_odd_project_file_name(folder: Path, outside: Path) -> None:
    tl = project_timeline(folder, outside)
    path = folder / "Kite: 'día' [2] 100%.promptcut"
    save_project(tl, path)
    assert load_project(path).timeline == tl
    save_project(tl, path)
    assert backup_path(path).name == "Kite: 'día' [2] 100%.promptcut.bak"
    assert backup_path(path).exists()


def test_undecodable_path_bytes_survive(tmp_path: Path) -> None:
    """A file name that is not UTF-8 (possible on Linux) reaches Python as surrogate escapes."""
    name = os.fsdecode(b"caf\xe9.mp4")
    tl = Timeline.empty()
    tl.media["m"] = MediaSource("m", str(tmp_path / "elsewhere" / name), MediaKind.VIDEO, Fraction(1), True, False)
    save_project(tl, tmp_path / "p.promptcut")
    loaded = load_project(tmp_path / "p.promptcut", check_media=False)
    assert loaded.timeline == tl


def test_save_accepts_str_paths_and_relative_paths(folder: Path, outside: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    tl = project_timeline(folder, outside)
    monkeypatch.chdir(folder)
    save_project(tl, "film.promptcut")
    assert load_project("film.promptcut").timeline == tl


# --- atomic saves and backups --------------------------------------------------------------------------


def test_second_save_keeps_the_first_as_backup(folder: Path, outside: Path) -> None:
    tl = project_timeline(folder, outside)
    path = folder / "film.promptcut"
    save_project(tl, path)
    first = path.read_bytes()
    tl.markers.append(Marker(10, "new"))
    save_project(tl, path)
    assert backup_path(path).read_bytes() == first
    assert load_project(path).timeline == tl
    assert load_project(backup_path(path)).timeline != tl  # the backup is a loadable project too
    save_project(tl, path, backup=False)
    assert backup_path(path).read_bytes() == first
    assert litter(folder) == []


def test_save_keeps_the_file_mode(folder: Path, outside: Path) -> None:
    tl = project_timeline(folder, outside)
    path = folder / "film.promptcut"
    save_project(tl, path)
    path.chmod(0o640)
    save_project(tl, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_save_through_a_symlink_keeps_the_link(folder: Path, outside: Path, tmp_path: Path) -> None:
    tl = project_timeline(folder, outside)
    real = folder / "film.promptcut"
    save_project(tl, real)
    link = tmp_path / "shortcut.promptcut"
    link.symlink_to(real)
    tl.markers.append(Marker(1, "via link"))
    save_project(tl, link)
    assert link.is_symlink()
    assert load_project(real).timeline == tl
    assert load_project(link).timeline == tl  # relative media paths resolve beside the real file


def test_disk_full_while_writing_leaves_the_old_file(folder: Path, outside: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    tl = project_timeline(folder, outside)
    path = folder / "film.promptcut"
    save_project(tl, path)
    before = sorted(p.name for p in folder.iterdir())
    old = path.read_bytes()

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store_module.os, "fsync", full)
    tl.markers.append(Marker(5, "lost"))
    with pytest.raises(ProjectError) as caught:
        save_project(tl, path)
    assert str(caught.value) == f"{path}: not saved: No space left on device (the file on disk is unchanged)"
    assert path.read_bytes() == old
    assert sorted(p.name for p in folder.iterdir()) == before


def test_failure_at_the_final_rename_leaves_the_old_file(folder: Path, outside: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    tl = project_timeline(folder, outside)
    path = folder / "film.promptcut"
    save_project(tl, path)
    old = path.read_bytes()
    real_replace = store_module._replace

    def failing(tmp: str, target: Path) -> None:
        if target == path:
            raise OSError(errno.EIO, "Input/output error")
        real_replace(tmp, target)

    monkeypatch.setattr(store_module, "_replace", failing)
    tl.markers.append(Marker(5, "lost"))
    with pytest.raises(ProjectError, match="not saved: Input/output error"):
        save_project(tl, path)
    assert path.read_bytes() == old
    assert litter(folder) == []


def test_failed_first_save_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module.os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(errno.EROFS, "Read-only")))
    with pytest.raises(ProjectError, match=r"not saved: Read-only \(nothing was written\)$"):
        save_project(Timeline.empty(), tmp_path / "new.promptcut")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not permissions_enforced(), reason="this user writes anywhere (root)")
def test_unwritable_folder(folder: Path, outside: Path) -> None:
    tl = project_timeline(folder, outside)
    path = folder / "film.promptcut"
    save_project(tl, path)
    old = path.read_bytes()
    folder.chmod(0o555)
    try:
        with pytest.raises(ProjectError, match="not saved: Permission denied"):
            save_project(tl, path)
    finally:
        folder.chmod(0o755)
    assert path.read_bytes() == old
    assert litter(folder) == []


def test_save_into_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="does not exist"):
        save_project(Timeline.empty(), tmp_path / "nowhere" / "p.promptcut")
    assert list(tmp_path.iterdir()) == []


def test_save_onto_a_folder(tmp_path: Path) -> None:
    (tmp_path / "p.promptcut").mkdir()
    with pytest.raises(ProjectError, match="that is a folder"):
        save_project(Timeline.empty(), tmp_path / "p.promptcut")


def test_an_inconsistent_timeline_is_not_saved(folder: Path, outside: Path) -> None:
    tl = project_timeline(folder, outside)
    path = folder / "film.promptcut"
    save_project(tl, path)
    old = path.read_bytes()
    tl.video_tracks[0].clips.append(MediaClip("bad", 10, 5, media="cam"))  # overlaps c1
    with pytest.raises(ProjectError, match="not saved: the timeline is inconsistent: clips"):
        save_project(tl, path)
    assert path.read_bytes() == old


def test_metadata_that_is_not_json(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="not saved"):
        save_project(Timeline.empty(), tmp_path / "p.promptcut", metadata={"when": object()})
    with pytest.raises(ProjectError, match="not saved"):
        save_project(Timeline.empty(), tmp_path / "p.promptcut", metadata={"gain": float("nan")})
    assert list(tmp_path.iterdir()) == []


# --- older and newer files -----------------------------------------------------------------------------


def test_saving_over_an_old_format_keeps_a_copy_of_it(tmp_path: Path) -> None:
    path = tmp_path / "old.promptcut"
    shutil.copy(FIXTURES / "format-0.promptcut", path)
    original = path.read_bytes()
    loaded = load_project(path)
    assert loaded.migrated and loaded.format_version == 0
    assert "old.promptcut.v0.bak" in loaded.warnings[0]
    assert loaded.timeline.fps == Fraction(30000, 1001)
    save_project(loaded.timeline, path)
    assert json.loads(path.read_text())["format_version"] == FORMAT_VERSION
    assert backup_path(path, 0).read_bytes() == original
    save_project(loaded.timeline, path)
    save_project(loaded.timeline, path)
    assert backup_path(path, 0).read_bytes() == original  # never overwritten by later saves
    assert load_project(path).timeline == loaded.timeline


def test_a_file_from_a_newer_promptcut_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.promptcut"
    data = json.loads((FIXTURES / "format-1.promptcut").read_text())
    data.update(format_version=7, app_version="9.0.0")
    path.write_text(json.dumps(data))
    with pytest.raises(ProjectError) as caught:
        load_project(path)
    assert str(caught.value) == (f"{path}: was saved by PromptCut 9.0.0, a newer version (format 7; this version "
                                 "reads up to 2): update PromptCut to open it")


# --- files that are not projects -----------------------------------------------------------------------


@pytest.mark.parametrize(("content", "expected"), [
    (b"", "file is empty"),
    (b"  \n", "file is empty"),
    (b"\xff\xfe\x00garbage\x80", "not a PromptCut project (not UTF-8 text)"),
    (b"hello there", "not a PromptCut project: not valid JSON (line 1, column 1: Expecting value)"),
    (b'{"format": "promptcut-project", "format_version": 1, "settings": {', "damaged project: not valid JSON (line 1"),
    (b"[1, 2, 3]", "not a PromptCut project (the file holds a list, not an object)"),
    (b'{"format": "promptcut-project", "format_version": 1, "x": NaN}', "NaN is not a number a project may hold"),
    (b'{"some": "other json"}', "not a PromptCut project (no 'format' field)"),
    (b"[" * 100000, "not valid JSON"),
])
def test_corrupt_files(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "broken.promptcut"
    path.write_bytes(content)
    with pytest.raises(ProjectError) as caught:
        load_project(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and expected in message, message
    assert "\n" not in message


def test_a_save_cut_in_half(folder: Path, outside: Path) -> None:
    path = folder / "film.promptcut"
    save_project(project_timeline(folder, outside), path)
    blob = path.read_bytes()
    path.write_bytes(blob[: len(blob) // 2])
    with pytest.raises(ProjectError, match=r"damaged project: not valid JSON \(line \d+, column \d+"):
        load_project(path)


def test_a_byte_order_mark_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "bom.promptcut"
    path.write_bytes(b"\xef\xbb\xbf" + (FIXTURES / "format-1.promptcut").read_bytes())
    assert load_project(path, check_media=False).timeline.fps == Fraction(30000, 1001)


def test_missing_and_folder_and_unreadable(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match=r"gone\.promptcut: no such file$"):
        load_project(tmp_path / "gone.promptcut")
    with pytest.raises(ProjectError, match="is a folder, not a project file"):
        load_project(tmp_path)
    if permissions_enforced():
        locked = tmp_path / "locked.promptcut"
        locked.write_text("{}")
        locked.chmod(0)
        with pytest.raises(ProjectError, match="permission denied"):
            load_project(locked)
