"""Profiles in the window: the prompt box's Draft / Standard / Final choice and Match colours, the inspector's
Quality line, Match colours toggle and Promote button, the clip menu's and the Generate menu's Promote."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from ui_support import shown

from editor.media import synth
from editor.media.probe import media_source_from_info, probe
from editor.model import GeneratedClip, GenerationSpec, MediaClip, Settings, Take, Timeline
from editor.ui.main_window import MainWindow

SMALL = Settings(width=90, height=160, fps=Fraction(30))


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("promote media")
    return {name: synth.color_clip(d / f"{name}.mp4", name, 1.0, size=(90, 160), tone_hz=None)
            for name in ("red", "green")}


def draft_shot_timeline(media, profile: str = "draft") -> Timeline:
    """V1: red [0,15), a gap, a generated shot [30,45) playing a take made with ``profile``."""
    tl = Timeline.empty(SMALL)
    tl.media["red"] = media_source_from_info(probe(media["red"]), "red")
    tl.media["take"] = media_source_from_info(probe(media["green"]), "take")
    tl.video_tracks[0].add(MediaClip("r", 0, 15, media="red"))
    spec = GenerationSpec("a green field", model="tiny-wan", seed=5, steps=4, guidance=1.0, profile=profile)
    tl.video_tracks[0].add(GeneratedClip("g", 30, 15, spec=spec, takes=(Take("take", spec.content_hash(), spec),),
                                         active_take=0))
    tl.check()
    return tl


def test_the_inspector_shows_the_takes_quality_and_offers_promote_for_a_draft(qtbot, media, tmp_path):
    w = shown(qtbot, MainWindow(draft_shot_timeline(media), tmp_path / "cut.promptcut"))
    w.timeline_view.select({"g"})
    qtbot.waitUntil(lambda: w.inspector.facts["Quality"].text() == "Draft take", timeout=5000)
    assert w.inspector.promote_button.isVisibleTo(w.inspector)
    # the clip's menu and the Generate menu offer it too
    track = w.timeline.video_tracks[0]
    labels = [label for label, _ in w.shots.context_entries(track, w.timeline.find("g")[1], 35)]
    assert "Promote to Final" in labels
    menu = next(m for m in (a.menu() for a in w.menuBar().actions()) if m and m.title() == "&Generate")
    menu.aboutToShow.emit()
    assert w.actions_by_name["promote"].isEnabled()
    # Match colours: one undo step that marks the shot stale (the next take matches)
    w.inspector.match_colors.setChecked(True)
    g = w.timeline.find("g")[1]
    assert g.spec.match_colors and w.edits.stack.undoText() == "Match colours"
    assert w.shots.queue.status(g).state == "stale"
    w.edits.stack.undo()
    assert not w.timeline.find("g")[1].spec.match_colors
    qtbot.waitUntil(lambda: not w.inspector.match_colors.isChecked(), timeout=5000)
    w.close()


def test_a_final_take_is_not_offered_promote(qtbot, media, tmp_path):
    w = shown(qtbot, MainWindow(draft_shot_timeline(media, "final"), tmp_path / "cut.promptcut"))
    w.timeline_view.select({"g"})
    qtbot.waitUntil(lambda: w.inspector.facts["Quality"].text() == "Final take", timeout=5000)
    assert not w.inspector.promote_button.isVisibleTo(w.inspector)
    track = w.timeline.video_tracks[0]
    assert "Promote to Final" not in [label for label, _ in w.shots.context_entries(track, w.timeline.find("g")[1],
                                                                                     35)]
    w.timeline_view.select({"g"})
    assert not w.shots.can_promote_selection()
    w.close()


def test_the_prompt_box_offers_the_profiles_and_colour_match(qtbot, media, tmp_path):
    w = shown(qtbot, MainWindow(draft_shot_timeline(media), tmp_path / "cut.promptcut"))
    view = w.timeline_view
    view.set_zoom(8.0, 0)
    top, h = view.row_of(w.timeline.video_tracks[0].id)
    qtbot.mouseDClick(view, Qt.MouseButton.LeftButton, pos=QPoint(int(view.x_of(20)), top + h // 2))
    box = w.shots.prompt_box
    assert box is not None and [box.profile.itemText(i) for i in range(3)] == ["Draft", "Standard", "Final"]
    box.model.setCurrentIndex(box.model.findData("tiny-wan"))
    assert box.profile_name() == "draft"          # tiny-wan has a draft LoRA: new shots start as drafts
    box.profile.setCurrentIndex(box.profile.findData("final"))
    box.profile.activated.emit(box.profile.currentIndex())
    box.match_colors.setChecked(True)
    box.prompt.setText("a field")
    options = box.options()
    assert (options.profile, options.match_colors) == ("final", True)
    box.model.setCurrentIndex(box.model.findData("tiny-wan-flf"))
    assert box.profile_name() == "final"          # a profile the user picked stays when the model changes
    w.close()
