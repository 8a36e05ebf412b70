"""The inspector's effects and text sections in the window: each control makes its command, one undo step
restores the clip; keyframes are set at the playhead."""

from __future__ import annotations

from fractions import Fraction

import pytest

from editor.model import TextClip
from editor.model.commands import AddTransition, Insert
from editor.model.effects import Transition, TransitionKind
from editor.model.keyframes import Ease
from editor.model.testing import clip, sound, timeline, video
from editor.model.text import PRESETS


@pytest.fixture
def window(window):
    w = window
    tl = timeline(media=[video("cam", frames=600), sound("music", frames=300)])
    tl.video_tracks[0].add(clip("cam", 0, 60, 100, clip_id="a"))
    tl.video_tracks[0].add(clip("cam", 60, 60, 200, clip_id="b"))
    tl.audio_tracks[0].add(clip("music", 0, 90, clip_id="m"))
    w.set_document(tl, None)
    return w


def _select(w, clip_id: str):
    w.timeline_view.select({clip_id})
    assert w.inspector.clip_id == clip_id
    return w.inspector


def _clip(w, clip_id: str):
    return w.timeline.find(clip_id)[1]


def _enter(spin, value: float) -> None:
    spin.setValue(value)
    spin.editingFinished.emit()


def test_speed_reverse_freeze_and_interpolation_each_one_undo_step(window) -> None:
    ins = _select(window, "a")
    fx = ins.effects
    assert fx.speed_box.isVisible()
    _enter(fx.speed, 2.0)
    assert (_clip(window, "a").speed, _clip(window, "a").duration) == (Fraction(2), 30)
    assert _clip(window, "b").start == 30          # the clips after it ripple
    fx.reverse.click()
    assert _clip(window, "a").reverse
    fx.freeze.click()
    assert _clip(window, "a").speed == 0 and fx.freeze.text() == "Unfreeze"
    fx.interpolation.setCurrentIndex(fx.interpolation.findData("flow"))
    fx.interpolation.activated.emit(fx.interpolation.currentIndex())
    assert _clip(window, "a").interpolation == "flow"
    for _ in range(4):
        window.edits.stack.undo()
    a = _clip(window, "a")
    assert (a.speed, a.reverse, a.duration, a.interpolation) == (1, False, 60, "")
    assert _clip(window, "b").start == 60


def test_typing_a_transform_value_sets_a_constant_then_keys_once_animated(window) -> None:
    ins = _select(window, "a")
    scale = ins.effects.fields["scale"]
    _enter(scale.spin, 150.0)
    assert _clip(window, "a").transform.scale.value == pytest.approx(1.5)
    assert not _clip(window, "a").transform.scale.keys
    window.timeline_view.set_playhead(10)
    scale.diamond.click()                          # key at clip frame 10
    assert [k.frame for k in _clip(window, "a").transform.scale.keys] == [10]
    assert scale.diamond.keyed_here
    window.timeline_view.set_playhead(40)
    assert not scale.diamond.keyed_here
    _enter(scale.spin, 50.0)                       # animated: typing adds a key at the playhead
    keys = _clip(window, "a").transform.scale.keys
    assert [(k.frame, k.value) for k in keys] == [(10, 1.5), (40, 0.5)]
    assert _clip(window, "a").transform.scale.at(25) == pytest.approx(1.0)
    ins.effects.ease.setCurrentIndex(ins.effects.ease.findData(Ease.HOLD.value))
    ins.effects.ease.activated.emit(ins.effects.ease.currentIndex())
    assert _clip(window, "a").transform.scale.keys[1].ease is Ease.HOLD
    ins.effects.prev_key.click()                   # the playhead goes to the previous key
    assert window.timeline_view.playhead == 10
    scale.diamond.click()                          # removes the key there
    assert [k.frame for k in _clip(window, "a").transform.scale.keys] == [40]
    for _ in range(5):
        window.edits.stack.undo()
    assert _clip(window, "a").transform.scale.value == 1.0 and not _clip(window, "a").transform.scale.keys


def test_position_is_shown_in_canvas_pixels(window) -> None:
    ins = _select(window, "a")
    _enter(ins.effects.fields["x"].spin, 108.0)
    assert _clip(window, "a").transform.x.value == pytest.approx(108 / window.timeline.settings.width)


def test_fades_and_volume_db_with_its_keyframe(window) -> None:
    ins = _select(window, "a")
    _enter(ins.effects.fade_in, 0.5)
    _enter(ins.effects.fade_out, 1.0)
    a = _clip(window, "a")
    assert (a.fade_in, a.fade_out) == (15, 30)
    ins = _select(window, "m")
    assert ins.effects.gain_box.isVisible() and not ins.effects.transform_box.isVisible()
    _enter(ins.effects.gain.spin, -6.0)
    assert _clip(window, "m").gain.value == -6.0
    window.timeline_view.set_playhead(30)
    ins.effects.gain.diamond.click()
    assert [(k.frame, k.value) for k in _clip(window, "m").gain.keys] == [(30, -6.0)]
    window.edits.stack.undo()
    window.edits.stack.undo()
    assert _clip(window, "m").gain.value == 0.0


def test_transition_row_edits_and_removes(window) -> None:
    assert window.edits.do(AddTransition("b", Transition(TransitionKind.DISSOLVE, 15, 15)))
    ins = _select(window, "b")
    fx = ins.effects
    assert fx.transition_box.isVisible()
    assert fx.transition_duration.value() == pytest.approx(1.0)
    fx.transition_kind.setCurrentIndex(fx.transition_kind.findData(TransitionKind.DIP_BLACK.value))
    fx.transition_kind.activated.emit(fx.transition_kind.currentIndex())
    assert _clip(window, "b").transition == Transition(TransitionKind.DIP_BLACK, 15, 15)
    _enter(fx.transition_duration, 0.5)
    fx.transition_align.setCurrentIndex(fx.transition_align.findData("start"))
    fx.transition_align.activated.emit(fx.transition_align.currentIndex())
    assert _clip(window, "b").transition == Transition(TransitionKind.DIP_BLACK, 0, 15)
    fx.remove_transition.click()
    assert _clip(window, "b").transition is None
    window.edits.stack.undo()
    assert _clip(window, "b").transition == Transition(TransitionKind.DIP_BLACK, 0, 15)


@pytest.fixture
def titled(window):
    window.edits.do(Insert("V2", TextClip("t", 0, 60, text="Hello"), 0))
    return window


def test_text_clip_text_font_and_style_edits(titled, qtbot) -> None:
    w = titled
    ins = _select(w, "t")
    tp = ins.text_panel
    assert tp.isVisible() and not ins.effects.speed_box.isVisible()
    assert tp.text.toPlainText() == "Hello"
    tp.text.setPlainText("Hello\nworld")
    tp.text.applied.emit()
    assert _clip(w, "t").text == "Hello\nworld"
    tp.font.setCurrentText("Noto Sans")
    tp.font.activated.emit(tp.font.currentIndex())
    tp.bold.click()
    _enter(tp.size, 192)
    _enter(tp.pos_y, 30)
    style = _clip(w, "t").style
    assert (style.font, style.bold, style.y) == ("Noto Sans", True, pytest.approx(0.3))
    assert style.size == pytest.approx(0.1)
    tp.ask_color = lambda current, title: "#FF0000FF"
    tp.colors["box_color"].click()
    assert _clip(w, "t").style.box_color == "#FF0000FF"
    for _ in range(6):
        w.edits.stack.undo()
    assert _clip(w, "t").text == "Hello" and _clip(w, "t").style == TextClip("x", 0, 1).style


def test_text_preset_and_safe_zone_warning(titled) -> None:
    w = titled
    ins = _select(w, "t")
    tp = ins.text_panel
    tp.preset.activated.emit(tp.preset.findData("Lower third"))
    assert _clip(w, "t").style == PRESETS["Lower third"]
    assert not tp.warning.isVisibleTo(tp)
    _enter(tp.pos_y, 95)                               # the bottom: under the platform's captions
    assert "safe zone" in tp.warning.text() and tp.warning.isVisibleTo(tp)
    w.edits.stack.undo()
    w.edits.stack.undo()
    assert _clip(w, "t").style == TextClip("x", 0, 1).style
