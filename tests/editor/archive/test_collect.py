"""Collect Project: every file the project uses that lives outside NAME.media/ is copied into
NAME.media/collected/ (names clashing with other content get -2, the same content is copied once, offline media
is noted) and the project is relinked to the copies, as one undo step; the saved project reopens online."""

from __future__ import annotations

import filecmp
import json
from dataclasses import replace
from pathlib import Path

from editor.archive.collect import collect_project, relink_command
from editor.documents import open_document, save_document
from editor.model import Timeline, Track, TrackKind
from editor.model.commands import RemoveMedia, ReplaceMedia
from editor.model.commands.story import set_cast
from editor.model.story import CastMember, Story

from .conftest import copy_to, place, pool_entry


def project_using(tmp_path: Path, media: dict[str, Path]) -> tuple[Timeline, Path, dict[str, Path]]:
    """A project in tmp_path/film whose media lies elsewhere: two different files both named clip.mp4, the same
    content under two names, a sound, a still, and a file already inside film.media."""
    outside = {
        "a": copy_to(media["red"], tmp_path / "shoot1" / "clip.mp4"),
        "b": copy_to(media["blue"], tmp_path / "shoot2" / "clip.mp4"),
        "a-again": copy_to(media["red"], tmp_path / "backup" / "red copy.mp4"),
        "tone": copy_to(media["tone"], tmp_path / "sound" / "tone.wav"),
        "logo": copy_to(media["still"], tmp_path / "art" / "logo.png"),
    }
    project = tmp_path / "film" / "film.promptcut"
    inside = copy_to(media["blue"], project.parent / "film.media" / "own" / "mine.mp4")
    tl = Timeline.empty()
    tl.video_tracks.append(Track("v2", TrackKind.VIDEO, "V2"))
    place(tl, "a", outside["a"])
    place(tl, "b", outside["b"])
    place(tl, "a-again", outside["a-again"])
    place(tl, "inside", inside)
    place(tl, "tone", outside["tone"], track="audio")
    tl.media["logo"] = pool_entry("logo", outside["logo"])
    save_document(tl, project)
    return tl, project, outside


def test_collect_copies_relinks_and_the_saved_project_reopens_online(tmp_path, media):
    tl, project, outside = project_using(tmp_path, media)
    inside_before = tl.media["inside"]

    result = collect_project(tl, project)

    collected = project.parent / "film.media" / "collected"
    assert sorted(p.name for p in result.copied) == ["clip-2.mp4", "clip.mp4", "logo.png", "tone.wav"]
    assert tl.media["a"].path == str(collected / "clip.mp4")
    assert tl.media["b"].path == str(collected / "clip-2.mp4")
    assert tl.media["a-again"].path == tl.media["a"].path      # the same content, copied once
    assert tl.media["inside"] == inside_before                  # already in the project: untouched
    for media_id in ("a", "b", "a-again", "tone", "logo"):
        assert filecmp.cmp(tl.media[media_id].path, outside[media_id], shallow=False)
    assert result.notes == []
    tl.check()

    save_document(tl, project)
    paths = [m["path"] for m in json.loads(project.read_text())["media"]]
    assert all(not Path(p).is_absolute() for p in paths)
    reopened = open_document(project)
    assert reopened.offline == []
    assert {k: m.path for k, m in reopened.timeline.media.items()} == {k: m.path for k, m in tl.media.items()}


def test_collect_is_one_undo_step_and_the_copies_stay(tmp_path, media):
    tl, project, outside = project_using(tmp_path, media)
    before = {k: m.path for k, m in tl.media.items()}
    result = collect_project(tl, project)
    assert result.command is not None and result.command.applied
    result.command.revert(tl)
    assert {k: m.path for k, m in tl.media.items()} == before
    assert all(p.is_file() for p in result.copied)


def test_collecting_twice_copies_nothing_more(tmp_path, media):
    tl, project, _ = project_using(tmp_path, media)
    collect_project(tl, project)
    save_document(tl, project)
    again = open_document(project)
    second = collect_project(again.timeline, project)
    assert second.copied == [] and second.command is None and second.notes == []


def test_a_second_project_collecting_the_same_names_reuses_identical_files_only(tmp_path, media):
    tl, project, outside = project_using(tmp_path, media)
    collect_project(tl, project)
    # Later the user adds a third, different clip.mp4: it gets the next free name, nothing is overwritten.
    third = copy_to(media["tone"], tmp_path / "shoot3" / "clip.mp4")
    tl.media["c"] = pool_entry("c", third)
    result = collect_project(tl, project)
    assert [p.name for p in result.copied] == ["clip-3.mp4"]
    collected = project.parent / "film.media" / "collected"
    assert filecmp.cmp(collected / "clip.mp4", media["red"], shallow=False)
    assert filecmp.cmp(collected / "clip-2.mp4", media["blue"], shallow=False)


def test_offline_media_is_noted_and_left_as_it_was(tmp_path, media):
    tl, project, outside = project_using(tmp_path, media)
    outside["b"].unlink()
    doc = open_document(project)
    result = collect_project(doc.timeline, project)
    assert len(result.notes) == 1
    assert "clip.mp4 is offline" in result.notes[0] and "not collected" in result.notes[0]
    assert doc.timeline.media["b"].path == str(outside["b"])
    assert not doc.timeline.media["b"].online
    doc.timeline.check()


def test_cast_pictures_are_collected_too(tmp_path, media):
    tl, project, outside = project_using(tmp_path, media)
    face = copy_to(media["still"], tmp_path / "people" / "ada.png")
    tl.story = Story(cast=(CastMember("p1", "Ada", image=str(face), description="a pilot"),))
    result = collect_project(tl, project)
    image = Path(tl.story.member("p1").image)
    assert image.parent == project.parent / "film.media" / "collected"
    assert filecmp.cmp(image, face, shallow=False)
    assert image == Path(tl.media["logo"].path)   # the same picture as the logo's: one copy serves both
    assert image in result.copied


def test_a_collect_made_from_a_snapshot_relinks_the_live_timeline_keeping_edits_made_meanwhile(tmp_path, media):
    """The window copies from a snapshot beside the GUI thread; the user goes on editing; the relink is made
    afterwards against the live timeline and changes only what still points at the files that were copied."""
    live, project, outside = project_using(tmp_path, media)
    face = copy_to(media["still"], tmp_path / "people" / "ada.png")
    live.story = Story(cast=(CastMember("p1", "Ada", image=str(face)),))
    snapshot = live.copy()
    result = collect_project(snapshot, project, apply=False)
    assert result.command is None and snapshot == live   # nothing changed yet: only files were copied
    collected = project.parent / "film.media" / "collected"
    assert result.relinked[str(outside["a"])] == collected / "clip.mp4"

    # Meanwhile, on the live timeline: a relink elsewhere, a pool entry removed, the cast edited.
    elsewhere = copy_to(media["blue"], tmp_path / "shoot3" / "other.mp4")
    ReplaceMedia(replace(live.media["b"], path=str(elsewhere))).apply(live)
    RemoveMedia("logo").apply(live)
    edited_cast = (CastMember("p1", "Ada Lovelace", image=str(face)), CastMember("p2", "Bob"))
    set_cast(live, edited_cast, "Edit cast").apply(live)
    before = live.copy()

    command = relink_command(live, result)
    command.apply(live)
    live.check()
    assert live.media["a"].path == str(collected / "clip.mp4")
    assert live.media["b"].path == str(elsewhere)            # the user's relink stays
    assert "logo" not in live.media                           # the removal stays
    assert [(m.id, m.name) for m in live.story.cast] == [("p1", "Ada Lovelace"), ("p2", "Bob")]
    assert Path(live.story.member("p1").image).parent == collected
    command.revert(live)
    assert live == before                                     # one undo step back to the edited timeline


def test_nothing_left_to_relink_makes_no_command(tmp_path, media):
    live, project, outside = project_using(tmp_path, media)
    result = collect_project(live.copy(), project, apply=False)
    RemoveMedia("logo").apply(live)
    for media_id in ("a", "b", "a-again", "tone"):   # the user relinked each one somewhere else meanwhile
        moved = copy_to(outside[media_id], tmp_path / "moved" / media_id / outside[media_id].name)
        ReplaceMedia(replace(live.media[media_id], path=str(moved))).apply(live)
    assert relink_command(live, result) is None
