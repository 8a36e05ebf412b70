"""The Storyboard dock in the window: a script becomes cards; reordering, editing, splitting and removing cards
are timeline edits with undo; the timeline's own edits reorder the cards; a card's voice settings change its
speech clip; the board's options re-prompt the shots."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex

from editor.model import GeneratedClip
from editor.model.commands import Move
from editor.storyboard.cards import cards

SCRIPT = """The storm had been building all afternoon. | dark clouds over a grey sea
Ana climbed the lighthouse stairs two at a time. [4s]
At the top, the lamp was dark.
She struck a match. | close-up of a match flaring in the dark
The beam swept out across the water.
Somewhere out there, a boat turned for home.
"""
SHOTS_DIR = Path(os.environ.get("PROMPTCUT_SCREENSHOTS", "/tmp/i11/shots"))


@pytest.fixture
def themed(qapp):
    """The dark theme, as ``promptcut`` starts with it (for screenshots that look like the app)."""
    from editor.ui.app import stylesheet

    qapp.setStyleSheet(stylesheet())
    yield qapp
    qapp.setStyleSheet("")


def _storyboard(window, script: str = SCRIPT, **options):
    dialog = window.script_dialog()
    dialog.text.setPlainText(script)
    dialog.update_preview()
    if "style" in options:
        dialog.style_edit.setText(options["style"])
    assert dialog.create(), dialog.error.text()
    return window.storyboard


def _narrations(window) -> list[str]:
    return [c.shot.narration for c in cards(window.timeline)]


def _save(widget, name: str) -> None:
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(SHOTS_DIR / name))


def test_a_six_line_script_becomes_six_cards_in_the_dock(window):
    panel = _storyboard(window)
    assert window.storyboard_dock.isVisible()
    assert panel.list.count() == 6 and panel.pages.currentIndex() == 1
    assert [panel.card_view(i).narration for i in panel.shot_ids()] == _narrations(window)
    second = panel.card_view(panel.shot_ids()[1])
    assert second.fixed and second.length_text == "4.0 s"
    assert "6 shots" in panel.summary.text()
    assert window.edits.stack.count() == 1      # the whole storyboard is one undo step
    window.edits.stack.undo()
    assert panel.list.count() == 0 and panel.pages.currentIndex() == 0
    window.edits.stack.redo()
    assert panel.list.count() == 6


def test_moving_a_card_reorders_the_timeline_and_undo_puts_it_back(window):
    panel = _storyboard(window)
    before = _narrations(window)
    first = panel.shot_ids()[0]
    assert panel.move_card(first, 2)
    after = _narrations(window)
    assert after == [before[1], before[2], before[0], *before[3:]]
    assert panel.shot_ids()[2] == first
    window.timeline.check()
    starts = [c.start for c in cards(window.timeline)]
    assert starts == sorted(starts) and starts[0] == 0   # the others closed up: no gap at the head
    window.edits.stack.undo()
    assert _narrations(window) == before and panel.shot_ids()[0] == first


def test_dragging_a_card_in_the_list_moves_its_shot(window, qtbot):
    panel = _storyboard(window)
    before = _narrations(window)
    model = panel.list.model()
    # What a drop does in the list: the row moves; the panel then moves the shot on the timeline.
    # A real drag first packs the dragged items into mime data: every item's data must serialise (a card's
    # picture is looked up, not carried, or the drag fails with "cannot pickle QImage").
    assert model.mimeData([model.index(0, 0)]) is not None
    assert all(isinstance(v, (str, int, float, bool)) for v in model.itemData(model.index(0, 0)).values())
    assert model.moveRow(QModelIndex(), 0, QModelIndex(), 4)
    qtbot.waitUntil(lambda: _narrations(window) != before, timeout=3000)
    assert _narrations(window) == [before[1], before[2], before[3], before[0], before[4], before[5]]
    assert [panel.card_view(i).narration for i in panel.shot_ids()] == _narrations(window)


def test_moving_a_clip_on_the_timeline_reorders_the_cards(window):
    panel = _storyboard(window)
    tl = window.timeline
    first, last = cards(tl)[0], cards(tl)[-1]
    track = tl.find(first.clip.id)[0]
    assert window.edits.do(Move(first.clip.id, track.id, last.end + 30))
    assert panel.shot_ids()[-1] == first.shot.id


def test_selecting_a_card_selects_its_clip_and_moves_the_playhead(window):
    panel = _storyboard(window)
    third = cards(window.timeline)[2]
    panel.select_card(third.shot.id)
    assert window.timeline_view.selected == {third.clip.id}
    assert window.timeline_view.playhead == third.start
    window.timeline_view.select({cards(window.timeline)[4].clip.id})    # and back: the card follows
    assert panel.current_shot_id() == cards(window.timeline)[4].shot.id


def test_editing_the_narration_in_the_card_editor_is_one_undo_step(window):
    panel = _storyboard(window)
    shot_id = panel.shot_ids()[0]
    panel.select_card(shot_id)
    steps = window.edits.stack.count()
    panel.editor.narration.setPlainText("The storm broke at dusk.")
    panel.editor.narration.committed.emit()
    card = cards(window.timeline)[0]
    assert card.shot.narration == "The storm broke at dusk."
    assert card.caption is not None and card.caption.text == "The storm broke at dusk."
    assert panel.card_view(shot_id).narration == "The storm broke at dusk."
    assert window.edits.stack.count() == steps + 1
    window.edits.stack.undo()
    assert cards(window.timeline)[0].shot.narration == "The storm had been building all afternoon."
    window.timeline.check()


def test_a_fixed_length_from_the_editor_sets_the_shot_length(window):
    panel = _storyboard(window)
    shot_id = panel.shot_ids()[2]
    panel.select_card(shot_id)
    panel.editor.fixed.setChecked(True)
    panel.editor.seconds.setValue(5.0)
    panel.editor.seconds.editingFinished.emit()
    card = next(c for c in cards(window.timeline) if c.shot.id == shot_id)
    assert card.shot.seconds == 5 and card.duration == 5 * window.timeline.fps
    assert panel.card_view(shot_id).fixed


def test_voice_settings_change_the_speech_clip_of_the_line(window):
    panel = _storyboard(window)
    shot_id = panel.shot_ids()[0]
    panel.select_card(shot_id)
    voice = panel.editor.voice
    assert voice.isEnabled()
    voice.voice.setCurrentIndex(voice.voice.findData("espeak-ng:en-gb"))
    voice.speed.setValue(1.25)
    voice.pitch.setValue(-2.0)
    voice._emit()
    speech = cards(window.timeline)[0].speech
    assert isinstance(speech, GeneratedClip)
    assert (speech.spec.voice, speech.spec.voice_speed, speech.spec.pitch) == ("espeak-ng:en-gb", 1.25, -2.0)
    window.edits.stack.undo()
    assert cards(window.timeline)[0].speech.spec.voice == ""


def test_split_merge_and_remove_buttons(window):
    panel = _storyboard(window)
    panel.select_card(panel.shot_ids()[0])
    panel.editor.split_button.click()
    assert panel.list.count() == 7
    panel.select_card(panel.shot_ids()[0])
    panel.editor.merge_button.click()
    assert panel.list.count() == 6
    panel.select_card(panel.shot_ids()[5])
    assert not panel.editor.merge_button.isEnabled()      # the last card has no next one
    panel.editor.remove_button.click()
    assert panel.list.count() == 5
    window.timeline.check()
    for _ in range(3):
        window.edits.stack.undo()
    assert panel.list.count() == 6 and _narrations(window)[0] == "The storm had been building all afternoon."


def test_the_board_style_reprompts_every_shot(window):
    panel = _storyboard(window)
    panel.tabs.setCurrentWidget(panel.board)
    panel.board.style_edit.setText("black and white, grainy film")
    panel.board.style_edit.editingFinished.emit()
    assert window.timeline.story.storyboard.style == "black and white, grainy film"
    assert all("grainy film" in c.clip.spec.prompt for c in cards(window.timeline))
    panel.board.same_seed.setChecked(True)
    assert window.timeline.story.storyboard.seed == panel.board.seed.value()
    window.edits.stack.undo()
    window.edits.stack.undo()
    assert window.timeline.story.storyboard.style == "" and panel.board.style_edit.text() == ""


def _standalone(qtbot):
    """The panel alone on an undo stack, no generator behind it: seeds given are not queued anywhere."""
    from editor.model import Timeline
    from editor.storyboard.build import build_storyboard
    from editor.storyboard.script import parse_script
    from editor.ui.edits import Edits
    from editor.ui.storyboard_panel import StoryboardPanel

    edits = Edits(Timeline.empty())
    assert edits.do(build_storyboard(edits.timeline, parse_script(SCRIPT)))
    panel = StoryboardPanel(edits)
    qtbot.addWidget(panel)
    edits.timeline.subscribe(lambda _c: panel.refresh())
    return edits, panel


def test_generate_all_gives_the_drafts_seeds(qtbot):
    """Generate all seeds every draft (video and narration), which is what queues them; one undo step."""
    edits, panel = _standalone(qtbot)
    assert all(c.clip.spec.seed is None for c in cards(edits.timeline))
    assert panel.generate()
    assert all(c.clip.spec.seed is not None for c in cards(edits.timeline))
    assert all(c.speech is None or c.speech.spec.seed is not None for c in cards(edits.timeline))
    edits.stack.undo()
    assert all(c.clip.spec.seed is None for c in cards(edits.timeline))


def test_a_chained_board_generates_the_first_shot_and_keeps_the_rest_waiting(qtbot):
    edits, panel = _standalone(qtbot)
    assert panel.set_board(chain=True)
    assert panel.board.chain.isChecked()
    assert panel.generate()
    found = cards(edits.timeline)
    assert found[0].clip.spec.seed is not None
    assert all(c.clip.spec.seed is None for c in found[1:])
    assert panel.chain_waiting == {c.shot.id for c in found[1:]}
    assert not panel.continue_chain()      # nothing of the chain is made yet: they keep waiting


def test_story_menu_and_clip_menu_entries(window):
    names = window.actions_by_name
    for name in ("new_from_script", "storyboard_from_script", "show_storyboard", "cast", "generate_storyboard",
                 "fit_to_narration", "storyboard_panel"):
        assert name in names
    _storyboard(window)
    card = cards(window.timeline)[0]
    track = window.timeline.find(card.clip.id)[0]
    entries = [text for text, _ in window.shots.context_entries(track, card.clip, card.start)]
    assert "Generate matching sound" in entries


def test_an_empty_document_shows_the_way_to_a_script(window):
    panel = window.storyboard
    assert panel.pages.currentIndex() == 0 and not panel.generate_all_button.isEnabled()
    window.actions_by_name["show_storyboard"].trigger()
    assert window.storyboard_dock.isVisible()
    assert panel.list.count() == 0


def _speech_take(window, tmp_path, clip, seconds: float) -> None:
    """A real WAV of ``seconds`` as the speech clip's take (what the shot queue attaches when a line is spoken)."""
    import subprocess

    from editor.media.probe import media_source_from_info, probe
    from editor.model import Take, new_id
    from editor.model.commands import AddMedia, AddTake, Group
    from generation.ffmpeg import find_ffmpeg

    wav = tmp_path / f"{clip.id}.wav"
    subprocess.run([find_ffmpeg(), "-v", "error", "-f", "lavfi", "-i", f"sine=frequency=220:duration={seconds}",
                    "-ar", "24000", str(wav)], check=True)
    media = media_source_from_info(probe(str(wav)), new_id("m"), str(wav))
    assert window.edits.do(Group("Attach speech", [AddMedia(media), AddTake(clip.id, Take(media.id, "test"))]))


def test_a_spoken_line_arriving_fits_its_shot_to_the_narration(window, tmp_path, qtbot):
    """ShotQueue.on_attached: when a speech take lands, the storyboard's shots follow their narration (one
    undo step of its own)."""
    panel = _storyboard(window)
    first = cards(window.timeline)[0]
    assert first.shot.seconds is None and window.shots.queue.on_attached is not None
    _speech_take(window, tmp_path, first.speech, 6.0)
    steps = window.edits.stack.count()
    window.shots.queue.on_attached([cards(window.timeline)[0].speech])
    fps = window.timeline.fps
    qtbot.waitUntil(lambda: cards(window.timeline)[0].duration == round(6.4 * fps), timeout=3000)
    assert window.edits.stack.count() == steps + 1
    assert panel.card_view(first.shot.id).length_text == "6.4 s"
    window.timeline.check()



def _video_take(window, tmp_path, clip, colour: str) -> None:
    """A real clip of ffmpeg's test picture as a video shot's take (what the shot queue attaches)."""
    import subprocess

    from editor.media.probe import media_source_from_info, probe
    from editor.model import Take, new_id
    from editor.model.commands import AddMedia, AddTake, Group
    from generation.ffmpeg import find_ffmpeg

    mp4 = tmp_path / f"{clip.id}.mp4"
    subprocess.run([find_ffmpeg(), "-v", "error", "-f", "lavfi", "-i",
                    f"color=c={colour}:size=216x384:rate=30:duration=6,drawgrid=w=54:h=54:t=3:c=white@0.6",
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(mp4)], check=True)
    media = media_source_from_info(probe(str(mp4)), new_id("m"), str(mp4))
    take = Take(media.id, clip.spec.content_hash(), clip.spec)   # made from the clip's spec as it is: ready
    assert window.edits.do(Group("Attach shot", [AddMedia(media), AddTake(clip.id, take)]))


def test_screenshot_of_a_storyboard_with_takes_cast_and_notes(window, qtbot, themed, tmp_path):
    """The picture the issue asks for: takes as thumbnails, a fixed length, a cast chip and a model's note."""
    from PySide6.QtGui import QColor, QImage

    picture = tmp_path / "ana.png"
    image = QImage(96, 128, QImage.Format.Format_RGB32)
    image.fill(QColor("#d65a3a"))
    assert image.save(str(picture))
    panel = _storyboard(window, f"@Ana: {picture} | a woman with short red hair and a yellow raincoat\n" + SCRIPT,
                        style="cinematic, 35 mm film")
    assert panel.set_board(model="tiny-wan-a14b")     # a text-only model: Ana's card says so
    for card, colour in zip(cards(window.timeline)[:3], ("0x2b4f7a", "0x7a4b2b", "0x2b7a55"), strict=True):
        _video_take(window, tmp_path, card.clip, colour)
    window.resize(1600, 900)
    ana = cards(window.timeline)[1]
    assert [m.name for m in ana.cast] == ["Ana"] and any("cannot take a picture" in n for n in ana.notes)
    panel.refresh()
    qtbot.waitUntil(lambda: all(panel.card_view(i).thumbnail is not None for i in panel.shot_ids()[:3]),
                    timeout=10000)
    panel.select_card(ana.shot.id)
    assert panel.card_view(ana.shot.id).notes and panel.editor.notes.text().startswith("⚠")
    qtbot.wait(50)
    _save(window, "storyboard_window.png")
    _save(window.storyboard_dock, "storyboard_dock.png")
    panel.tabs.setCurrentWidget(panel.board)
    _save(window.storyboard_dock, "storyboard_board.png")
