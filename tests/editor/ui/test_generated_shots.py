"""Generated shots in the real window: the tiny test model on the CPU, a real worker process, real events."""

from __future__ import annotations

import os
import signal
from fractions import Fraction
from pathlib import Path

import av
import pytest
from PySide6.QtCore import QPoint, Qt
from ui_support import generated, shown, submit_prompt

from editor.media import synth
from editor.media.probe import media_source_from_info, probe
from editor.model import GeneratedClip, MediaClip, Settings, Timeline
from editor.ui.main_window import MainWindow

SMALL = Settings(width=90, height=160, fps=Fraction(30))
WAIT_MS = 180_000


@pytest.fixture(scope="module")
def colours(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("shots media")
    return {name: synth.color_clip(d / f"{name}.mp4", name, 1.0, size=(90, 160), tone_hz=None)
            for name in ("red", "blue", "green")}


def timeline_with_gaps(colours, gaps: int = 1) -> Timeline:
    """V1: red, then (gap, blue) ``gaps`` times; every clip and gap 15 frames."""
    tl = Timeline.empty(SMALL)
    for name in ("red", "blue"):
        tl.media[name] = media_source_from_info(probe(colours[name]), name)
    v1 = tl.video_tracks[0]
    v1.add(MediaClip("r", 0, 15, media="red"))
    for i in range(gaps):
        v1.add(MediaClip(f"b{i}", 30 + 30 * i, 15, media="blue"))
    tl.check()
    return tl


def make_window(qtbot, tl: Timeline, path: Path | None = None) -> MainWindow:
    w = shown(qtbot, MainWindow(tl, path))
    w.timeline_view.set_zoom(8.0, 0)
    return w


def prompt_in_gap(qtbot, w: MainWindow, frame: int, prompt: str, *, steps: int = 0) -> GeneratedClip:
    """Double-click the gap at ``frame`` on V1, type the prompt, pick the tiny model, press Enter."""
    view = w.timeline_view
    top, h = view.row_of(w.timeline.video_tracks[0].id)
    qtbot.mouseDClick(view, Qt.MouseButton.LeftButton, pos=QPoint(int(view.x_of(frame)), top + h // 2))
    box = w.shots.prompt_box
    assert box is not None and box.isVisible()
    assert "No video model is installed" in box.note.text()   # this machine has only the test models
    assert box.seed.value() >= 0                       # a random seed, shown before anything is made
    return submit_prompt(qtbot, w, prompt, steps=steps)


def state(w: MainWindow, clip_id: str) -> str:
    return w.shots.queue.status_by_id(clip_id).state


def test_type_a_prompt_into_a_gap_watch_it_generate_then_export_it(qtbot, colours, tmp_path) -> None:
    w = make_window(qtbot, timeline_with_gaps(colours), tmp_path / "cut.promptcut")
    clip = prompt_in_gap(qtbot, w, 20, "a paper kite over the sea")
    assert (clip.start, clip.duration) == (15, 15)          # spans the gap exactly
    assert clip.spec.model == "tiny-wan" and clip.spec.seed == clip.spec.seed
    assert state(w, clip.id) in ("queued", "generating")
    assert w.edits.stack.undoText().startswith("Generate")
    w.timeline_view.set_playhead(20)
    seen: set[str] = set()
    fractions: list[float] = []

    def ready() -> bool:
        status = w.shots.queue.status_by_id(clip.id)
        seen.add(status.state)
        if status.state == "generating":
            fractions.append(status.fraction)
        return status.state == "ready"

    qtbot.waitUntil(ready, timeout=WAIT_MS)
    assert "generating" in seen and fractions, seen     # progress arrived on the clip while it ran
    g = w.timeline.find(clip.id)[1]
    assert not g.pending and len(g.takes) == 1
    # the viewer draws the take's frames, not the placeholder card
    qtbot.waitUntil(lambda: w.viewer._compositor is not None and w.viewer.screen_.image is not None, timeout=10000)
    kinds = [item.kind for item in w.viewer._compositor._items(20) if item.clip_id == clip.id]
    assert kinds == ["picture"]
    # the bin calls the take by its prompt, not by its content-addressed file name
    texts = [w.bin.item(i).text() for i in range(w.bin.count())]
    assert any(t.startswith("✦ a paper kite over the sea · take 1\n") for t in texts), texts
    # the inspector lists the take
    w.timeline_view.select({clip.id})
    assert w.inspector.takes.count() == 1 and "seed" in w.inspector.takes.item(0).text()
    # export includes the generated frames
    dialog = w.export_dialog()
    out = tmp_path / "with shot.mp4"
    dialog.dest_edit.setText(str(out))
    with qtbot.waitSignal(dialog.export_finished, timeout=60000) as blocker:
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [True], dialog.status_label.text()
    with av.open(str(out)) as container:
        assert sum(1 for _ in container.decode(video=0)) == 45


def test_regenerate_adds_a_take_and_switching_takes_undoes(qtbot, colours, tmp_path) -> None:
    w = make_window(qtbot, timeline_with_gaps(colours), tmp_path / "cut.promptcut")
    clip = prompt_in_gap(qtbot, w, 20, "a fox in the snow")
    qtbot.waitUntil(lambda: state(w, clip.id) == "ready", timeout=WAIT_MS)
    w.timeline_view.select({clip.id})
    first_seed = w.timeline.find(clip.id)[1].spec.seed
    qtbot.mouseClick(w.inspector.regenerate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(w.timeline.find(clip.id)[1].takes) == 2, timeout=WAIT_MS)
    g = w.timeline.find(clip.id)[1]
    assert g.active_take == 1 and g.spec.seed != first_seed
    qtbot.waitUntil(lambda: w.inspector.takes.count() == 2, timeout=5000)
    # click take 1 in the inspector: it plays again, with its own seed; Ctrl+Z switches back
    item = w.inspector.takes.item(0)
    rect = w.inspector.takes.visualItemRect(item)
    qtbot.mouseClick(w.inspector.takes.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    g = w.timeline.find(clip.id)[1]
    assert (g.active_take, g.spec.seed, state(w, clip.id)) == (0, first_seed, "ready")
    assert w.edits.stack.undoText() == "Choose take 1"
    qtbot.keyClick(w.timeline_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert w.timeline.find(clip.id)[1].active_take == 1
    # editing the prompt marks it stale and the inspector offers to regenerate
    w.inspector.prompt_edit.setPlainText("a grey fox in the snow")
    qtbot.mouseClick(w.inspector.apply_prompt, Qt.MouseButton.LeftButton)
    assert state(w, clip.id) == "stale"
    assert "prompt changed" in w.inspector.regenerate_button.text()


def test_fill_gaps_on_a_track_with_three_gaps(qtbot, colours, tmp_path, monkeypatch) -> None:
    from editor.generate.preferences import GenerationPreferences, save_preferences

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))   # this test's own preferences
    save_preferences(GenerationPreferences(default_model="tiny-wan"))
    w = make_window(qtbot, timeline_with_gaps(colours, gaps=3), tmp_path / "cut.promptcut")
    dialog = w.fill_gaps_dialog(w.timeline.video_tracks[0].id)
    assert len(dialog.gaps) == 3
    for edit, text in zip(dialog.prompts, ("dawn", "noon", "dusk"), strict=True):
        qtbot.keyClicks(edit, text)
    qtbot.keyClicks(dialog.style_edit, "35 mm film")
    dialog.accept()
    qtbot.waitUntil(lambda: len(generated(w)) == 3, timeout=60000)
    shots = generated(w)
    assert sorted(c.spec.prompt for c in shots) == ["dawn, 35 mm film", "dusk, 35 mm film", "noon, 35 mm film"]
    assert sorted((c.start, c.end) for c in shots) == [(15, 30), (45, 60), (75, 90)]
    qtbot.waitUntil(lambda: all(state(w, c.id) == "ready" for c in generated(w)), timeout=WAIT_MS)
    w.timeline.check()


def test_cancel_a_job_and_recover_from_a_killed_worker(qtbot, colours, tmp_path) -> None:
    w = make_window(qtbot, timeline_with_gaps(colours, gaps=2), tmp_path / "cut.promptcut")
    slow = prompt_in_gap(qtbot, w, 20, "slow clouds", steps=150)
    qtbot.waitUntil(lambda: state(w, slow.id) == "generating", timeout=WAIT_MS)
    # cancel from the clip's context menu
    view = w.timeline_view
    w.timeline_view.select(set())
    view.contextMenuEvent(_context_event(view, view.clip_rect(slow.id).center()))
    actions = {a.text(): a for a in view.context_menu.actions()}
    assert "Retry" not in actions
    actions["Cancel generation"].trigger()
    view.context_menu.close()
    qtbot.waitUntil(lambda: state(w, slow.id) == "cancelled", timeout=60000)
    assert w.shots.queue.status_by_id(slow.id).can_retry
    # a second shot; kill the worker while it generates: it restarts and the shot still arrives
    other = prompt_in_gap(qtbot, w, 50, "a lighthouse", steps=60)
    qtbot.waitUntil(lambda: state(w, other.id) == "generating", timeout=WAIT_MS)
    client = w.shots.queue.client
    pid = client.worker_pid
    messages: list[str] = []
    w.shots.message.connect(messages.append)
    os.kill(pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: state(w, other.id) == "ready", timeout=WAIT_MS)
    assert any("generator stopped" in m.lower() for m in messages), messages
    assert client.worker_pid not in (None, pid) and client.worker_starts >= 2
    assert w.timeline.find(slow.id)[1].pending                 # the cancelled one stays cancelled
    assert state(w, slow.id) == "cancelled"


def test_close_and_reopen_with_a_job_pending_resumes_it(qtbot, colours, tmp_path) -> None:
    path = tmp_path / "pending.promptcut"
    w = make_window(qtbot, timeline_with_gaps(colours), path)
    clip = prompt_in_gap(qtbot, w, 20, "rain on a window", steps=40)
    assert w.save_to(path)
    w.close()                                  # the worker stops; the job stays queued in the project's store
    assert w.timeline.find(clip.id)[1].pending
    reopened = MainWindow()
    reopened.ask_save_changes = lambda: "discard"
    qtbot.addWidget(reopened)
    assert reopened.open_path(path)
    qtbot.waitUntil(lambda: state(reopened, clip.id) == "ready", timeout=WAIT_MS)
    g = reopened.timeline.find(clip.id)[1]
    assert not g.pending and g.takes[0].spec == g.spec
    reopened.timeline.check()


def _context_event(view, pos: QPoint):
    from PySide6.QtGui import QContextMenuEvent

    return QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, view.mapToGlobal(pos))
