"""A line's voice settings show what the line holds over the voice models' whole range, and write nothing
back unless the person changed it."""

from __future__ import annotations

import pytest

from editor.ui.voice_settings import VoiceSettings

ENTRIES = [("espeak-ng:en-us", "Basic voice — English (US)")]


@pytest.fixture
def settings(qtbot):
    widget = VoiceSettings(ENTRIES)
    qtbot.addWidget(widget)
    emitted: list[tuple[str, float, float]] = []
    widget.changed.connect(lambda *values: emitted.append(values))
    return widget, emitted


@pytest.mark.parametrize("speed, pitch", [(3.0, 20.0), (0.25, -24.0), (4.0, 24.0), (1.234, 0.25)])
def test_a_line_outside_the_old_range_is_shown_as_it_is_and_leaving_it_writes_nothing(settings, speed, pitch):
    widget, emitted = settings
    widget.show_line("espeak-ng:en-us", speed, pitch, has_speech=True)
    assert widget.speed.value() == pytest.approx(speed, abs=0.005)   # to the box's decimals
    assert widget.pitch.value() == pytest.approx(pitch, abs=0.05)
    widget.speed.editingFinished.emit()   # focus in and out: no change made
    widget.pitch.editingFinished.emit()
    assert emitted == []


def test_changing_one_setting_keeps_the_others_as_the_line_holds_them(settings):
    widget, emitted = settings
    widget.show_line("espeak-ng:en-us", 1.234, 3.0, has_speech=True)
    widget.pitch.setValue(5.0)
    widget.pitch.editingFinished.emit()
    assert emitted == [("espeak-ng:en-us", 1.234, 5.0)]   # the speed as it was, not as two decimals show it
    widget.speed.editingFinished.emit()
    assert len(emitted) == 1
    widget.speed.setValue(3.5)
    widget.speed.editingFinished.emit()
    assert emitted[-1] == ("espeak-ng:en-us", 3.5, 5.0)
