"""The export dialog's loudness controls: defaults from the preset, and what reaches the export."""

from __future__ import annotations

import subprocess
from fractions import Fraction
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from editor.media.ffmpeg import ffmpeg_exe
from editor.media.probe import media_source_from_info, probe
from editor.model import Settings, Timeline
from editor.model.testing import clip
from editor.ui.export_dialog import PROJECT_SETTINGS, ExportDialog


@pytest.fixture(scope="module")
def quiet_timeline(tmp_path_factory) -> Timeline:
    """One second of grey with a 1 kHz tone at about -35 LUFS, in a 180x320 project."""
    path = tmp_path_factory.mktemp("loudness-dialog") / "quiet.mp4"
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
                    "-f", "lavfi", "-i", "color=c=gray:s=180x320:r=30:d=1",
                    "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000:duration=1,volume=-17dB",
                    "-af", "pan=stereo|c0=c0|c1=c0", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac",
                    "-shortest", str(path)], check=True, capture_output=True)
    tl = Timeline.empty(Settings(width=180, height=320, fps=Fraction(30)), video_tracks=1, audio_tracks=1)
    source = media_source_from_info(probe(str(path)), "m0", str(path))
    tl.media[source.id] = source
    tl.video_tracks[0].clips.append(clip(source.id, 0, 30))
    tl.check()
    return tl


def choose(dialog: ExportDialog, preset: str | None) -> None:
    dialog.preset_box.setCurrentIndex(dialog.preset_box.findData(preset))


def test_the_checkbox_follows_the_preset(qtbot, quiet_timeline):
    dialog = ExportDialog(quiet_timeline)
    qtbot.addWidget(dialog)
    assert dialog.preset_box.currentText() == PROJECT_SETTINGS
    assert not dialog.loudness_check.isChecked() and not dialog.loudness_spin.isEnabled()
    assert dialog.loudness() is None
    for name in ("tiktok", "reels", "shorts"):
        choose(dialog, name)
        assert dialog.loudness_check.isChecked() and dialog.loudness_spin.isEnabled()
        assert dialog.loudness_spin.value() == -14.0 and dialog.loudness() == -14.0
    choose(dialog, "youtube")
    assert not dialog.loudness_check.isChecked() and dialog.loudness() is None
    dialog.loudness_check.setChecked(True)   # the user may still ask for it
    assert dialog.loudness_spin.isEnabled() and dialog.loudness() == -14.0
    assert (dialog.loudness_spin.minimum(), dialog.loudness_spin.maximum()) == (-70.0, -5.0)


def _export(qtbot, dialog: ExportDialog, out: Path) -> None:
    dialog.size_edit.setText("180x320")
    dialog.dest_edit.setText(str(out))
    with qtbot.waitSignal(dialog.export_finished, timeout=60000) as blocker:
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [True], dialog.status_label.text()


def test_the_chosen_target_reaches_the_export_and_the_summary_shows_the_figures(qtbot, quiet_timeline, tmp_path):
    dialog = ExportDialog(quiet_timeline)
    qtbot.addWidget(dialog)
    choose(dialog, "tiktok")
    dialog.loudness_spin.setValue(-16.0)
    out = tmp_path / "minus16.mp4"
    _export(qtbot, dialog, out)
    result = dialog.result
    assert result is not None and result.settings.loudness == -16.0
    assert result.loudness is not None and result.loudness.output_lufs == pytest.approx(-16.0, abs=1.0)
    assert dialog.status_label.text() == f"Exported to {out}\n{result.loudness.describe()}"
    assert "LUFS in" in dialog.status_label.text()


def test_unchecked_the_export_leaves_the_sound_alone(qtbot, quiet_timeline, tmp_path):
    dialog = ExportDialog(quiet_timeline)
    qtbot.addWidget(dialog)
    choose(dialog, "tiktok")
    dialog.loudness_check.setChecked(False)
    assert not dialog.loudness_spin.isEnabled()
    out = tmp_path / "off.mp4"
    _export(qtbot, dialog, out)
    assert dialog.result is not None and dialog.result.settings.loudness is None and dialog.result.loudness is None
    assert dialog.status_label.text() == f"Exported to {out}"
