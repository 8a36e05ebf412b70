"""Generation on a Ray cluster in the window: the Models dialog's Generator section, the queue dock's placements
and cluster line, and falling back to this computer when the cluster cannot be used. Real widgets, real clicks;
the queue dock runs real jobs on a local Ray (CPU-only workers, a custom resource standing in for GPUs)."""

from __future__ import annotations

import socket
import sys
import time
from fractions import Fraction

import pytest
from PySide6.QtCore import Qt

from editor.generate.preferences import GenerationPreferences, load_preferences, save_preferences
from editor.ui.generator_settings import RAY_CLUSTER, THIS_COMPUTER
from editor.ui.models_dialog import ModelsDialog
from editor.ui.queue_panel import CLUSTER_REFRESH_MS, COLUMNS, QueuePanel
from generation.cluster.config import ClusterConfig, ray_missing_message
from generation.jobs import JobSpec, JobState

STATE, WHERE = COLUMNS.index("State"), COLUMNS.index("Where")


@pytest.fixture(autouse=True)
def config_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("PROMPTCUT_MODELS", str(tmp_path / "models"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf-cache"))
    monkeypatch.setenv("PROMPTCUT_SHOT_TIMES", str(tmp_path / "shot_times.json"))
    monkeypatch.delenv("PROMPTCUT_RAY_ADDRESS", raising=False)
    return tmp_path / "config"


def dialog_of(qtbot, **kwargs) -> ModelsDialog:
    dialog = ModelsDialog(gpu=False, device="cpu", **kwargs)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def click(qtbot, widget) -> None:
    assert widget.isEnabled(), widget
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


# --- the Models dialog's Generator section -------------------------------------------------------------------


def test_the_generator_choice_is_saved_and_shown_again(qtbot):
    dialog = dialog_of(qtbot, ray=True)
    section = dialog.generator
    assert section.local_radio.text() == THIS_COMPUTER and section.cluster_radio.text() == RAY_CLUSTER
    assert section.local_radio.isChecked() and not section.address_edit.isEnabled()
    assert not section.reason.isVisible()
    click(qtbot, section.cluster_radio)
    assert section.address_edit.isEnabled() and section.workers_spin.isEnabled()   # empty address: local
    section.workers_spin.setValue(2)
    click(qtbot, dialog.ok_button)
    saved = load_preferences()
    assert (saved.generator, saved.cluster_address, saved.cluster_workers) == ("cluster", None, 2)

    again = dialog_of(qtbot, ray=True)
    assert again.generator.cluster_radio.isChecked() and again.generator.workers_spin.value() == 2
    again.generator.address_edit.clear()
    qtbot.keyClicks(again.generator.address_edit, "ray://gpu-box:10001")
    assert not again.generator.workers_spin.isEnabled()   # the cluster's GPUs say how many workers it runs
    click(qtbot, again.ok_button)
    saved = load_preferences()
    assert (saved.generator, saved.cluster_address) == ("cluster", "ray://gpu-box:10001")

    back = dialog_of(qtbot, ray=True)
    click(qtbot, back.generator.local_radio)
    click(qtbot, back.ok_button)
    saved = load_preferences()
    # the address stays for the next time the cluster is chosen
    assert (saved.generator, saved.cluster_address) == ("local", "ray://gpu-box:10001")


def test_an_address_that_does_not_parse_keeps_the_dialog_open(qtbot):
    dialog = dialog_of(qtbot, ray=True)
    click(qtbot, dialog.generator.cluster_radio)
    qtbot.keyClicks(dialog.generator.address_edit, "gpu box")
    click(qtbot, dialog.ok_button)
    assert dialog.isVisible()
    assert dialog.status.text().startswith("Generator: 'gpu box' is not a cluster address")
    assert load_preferences() == GenerationPreferences()
    # with this computer chosen, the half-typed address is dropped rather than refused
    click(qtbot, dialog.generator.local_radio)
    click(qtbot, dialog.ok_button)
    assert not dialog.isVisible() and load_preferences() == GenerationPreferences()


def test_without_ray_the_cluster_cannot_be_chosen_and_says_how_to_add_it(qtbot):
    save_preferences(GenerationPreferences(generator="cluster", cluster_address="ray://gpu-box:10001"))
    dialog = dialog_of(qtbot, ray=False)
    section = dialog.generator
    assert not section.cluster_radio.isEnabled() and section.local_radio.isChecked()
    assert section.cluster_radio.toolTip() == ray_missing_message()
    missing = ray_missing_message()
    assert section.reason.isVisible() and section.reason.text() == missing[:1].upper() + missing[1:]
    assert "promptcut[cluster]" in section.reason.text()
    assert section.address_edit.text() == "ray://gpu-box:10001" and not section.address_edit.isEnabled()
    click(qtbot, dialog.ok_button)
    assert load_preferences().generator == "local"


def test_without_ray_really_installed(qtbot, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)   # what `import ray` meets when Ray is not installed
    dialog = dialog_of(qtbot)
    assert not dialog.generator.cluster_radio.isEnabled()


def test_the_environment_variable_is_named_when_it_wins(qtbot, monkeypatch):
    monkeypatch.setenv("PROMPTCUT_RAY_ADDRESS", "ray://head:10001")
    dialog = dialog_of(qtbot, ray=True)
    assert dialog.generator.reason.isVisible()
    assert dialog.generator.reason.text() == ("PROMPTCUT_RAY_ADDRESS=ray://head:10001 is set: it is used instead "
                                              "of this choice")


# --- the window falls back to this computer ------------------------------------------------------------------


def test_a_cluster_that_cannot_be_used_is_one_line_and_shots_run_here(window, qtbot, monkeypatch):
    from generation.client import GeneratorClient

    monkeypatch.setitem(sys.modules, "ray", None)
    save_preferences(GenerationPreferences(generator="cluster", cluster_address="local", cluster_workers=1))
    said: list[str] = []
    window.shots.message.connect(said.append)
    window.shots.document_changed()   # a new queue: its client is made from the saved choice on first use
    client = window.shots.queue.client
    try:
        assert type(client) is GeneratorClient
        assert len(said) == 1 and said[0].startswith("Ray cluster not used (")
        assert said[0].endswith("; generating on this computer") and "promptcut[cluster]" in said[0]
    finally:
        window.shots.queue.close()


def test_a_bad_address_in_the_environment_also_falls_back(window, qtbot, monkeypatch):
    from generation.client import GeneratorClient

    monkeypatch.setenv("PROMPTCUT_RAY_ADDRESS", "gpu box")
    said: list[str] = []
    window.shots.message.connect(said.append)
    window.shots.document_changed()
    try:
        assert type(window.shots.queue.client) is GeneratorClient
        assert said == ["Ray cluster not used ($PROMPTCUT_RAY_ADDRESS: 'gpu box' is not a cluster address: use "
                        "ray://HOST:10001, HOST:6379, auto, local or local:N); generating on this computer"]
    finally:
        window.shots.queue.close()


@pytest.fixture(scope="module")
def no_ray_here():
    """No Ray in this process when this module's tests begin: one left by an earlier module (the cluster tests'
    session Ray, idle once they are done) would be reused by the window's client instead of the address tried."""
    ray = pytest.importorskip("ray")
    if ray.is_initialized():
        ray.shutdown()
    return ray


def test_an_unreachable_cluster_never_holds_up_the_window_and_the_shot_is_made_here(qtbot, hermetic_env, tmp_path,
                                                                                    monkeypatch, no_ray_here):
    """The client connects on its own thread: the window goes on at once, the shot waits in the queue, and when
    the address refuses the connection the status bar says so in one line and the shot is made on this computer."""
    import threading

    from PySide6.QtCore import QPoint
    from ui_support import shown, submit_prompt

    from editor.media import synth
    from editor.media.probe import media_source_from_info, probe
    from editor.model import MediaClip, Settings, Timeline
    from editor.ui.main_window import MainWindow
    from generation.cluster.client import ClusterClient

    with socket.socket() as s:   # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        address = f"ray://127.0.0.1:{s.getsockname()[1]}"
    monkeypatch.setenv("PROMPTCUT_RAY_ADDRESS", address)
    monkeypatch.setenv("PROMPTCUT_MODELS", hermetic_env["PROMPTCUT_MODELS"])   # the session's built test models
    red = synth.color_clip(tmp_path / "red.mp4", "red", 1.0, size=(90, 160), tone_hz=None)
    tl = Timeline.empty(Settings(width=90, height=160, fps=Fraction(30)))
    tl.media["red"] = media_source_from_info(probe(red), "red")
    tl.video_tracks[0].add(MediaClip("r", 0, 15, media="red"))
    tl.video_tracks[0].add(MediaClip("r2", 30, 15, media="red"))
    w = shown(qtbot, MainWindow(tl, tmp_path / "cut.promptcut"))
    w.timeline_view.set_zoom(8.0, 0)
    said: list[tuple[str, bool]] = []
    w.shots.message.connect(lambda text: said.append((text, threading.current_thread() is threading.main_thread())))
    shown_texts: list[str] = []   # every line the status bar showed (a later one may replace it at once)
    w.statusBar().messageChanged.connect(shown_texts.append)
    view = w.timeline_view
    top, h = view.row_of(w.timeline.video_tracks[0].id)
    qtbot.mouseDClick(view, Qt.MouseButton.LeftButton, pos=QPoint(int(view.x_of(20)), top + h // 2))
    clip = submit_prompt(qtbot, w, "a paper kite over the sea")
    client = w.shots.queue.client
    assert isinstance(client, ClusterClient)
    line = f"Ray cluster at {address} not reachable: "
    qtbot.waitUntil(lambda: any(text.startswith(line) for text in shown_texts), timeout=60_000)
    (shown_line,) = [text for text in shown_texts if text.startswith("Ray cluster")]
    assert shown_line == client.fallback_reason and shown_line.endswith("; generating on this computer")
    assert "\n" not in shown_line
    qtbot.waitUntil(lambda: w.shots.queue.status_by_id(clip.id).state == "ready", timeout=180_000)
    assert [text for text, _ in said if text.startswith("Ray cluster")] == [shown_line]   # said once
    assert all(on_gui for text, on_gui in said if text == shown_line)   # through the GUI thread
    assert client.placement(client.jobs()[0].id) is None and client.worker_starts == 1   # made here


# --- the queue dock on a Ray cluster -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cluster_client(hermetic_env, tmp_path_factory, no_ray_here):
    """A ClusterClient on this module's local Ray: one CPU worker, a custom resource standing in for a GPU."""
    ray = no_ray_here
    from generation.cluster.client import open_generator
    from generation.testing import ensure_test_model

    root = hermetic_env["PROMPTCUT_MODELS"]
    ensure_test_model("tiny-wan", root)
    folder = tmp_path_factory.mktemp("cluster-queue")
    ray.init(num_cpus=2, resources={"stand_in_gpu": 1}, include_dashboard=False, log_to_driver=False,
             object_store_memory=256 * 2**20)   # not 30% of RAM in /dev/shm
    try:
        client = open_generator(folder / "jobs.sqlite", folder / "generated",
                                cluster=ClusterConfig("local", workers=1, resource="stand_in_gpu"), models_dir=root,
                                env={"OMP_NUM_THREADS": "1"})
        yield client
        client.close()
    finally:
        ray.shutdown()


def play(qtbot, client, panel: QueuePanel, until, timeout: float = 180.0) -> None:
    """Play the window: poll the client, hand the events to the panel, let Qt's timers run."""
    deadline = time.monotonic() + timeout
    while not until():
        panel.on_events(client.poll())
        qtbot.wait(40)
        assert time.monotonic() < deadline, panel.cluster_text()


def test_the_queue_shows_the_cluster_and_where_each_job_runs(qtbot, cluster_client):
    panel = QueuePanel(cluster_client)
    qtbot.addWidget(panel)
    panel.show()
    assert not panel.table.isColumnHidden(WHERE)
    assert panel.timer.isActive() and panel.timer.interval() == CLUSTER_REFRESH_MS
    assert panel.cluster_text().startswith("Ray cluster: Ray · 1 node · ")
    assert panel.cluster_text().endswith(" of 1 stand_in_gpu unclaimed")
    # The cluster line stands in for the one-device footer, and wraps rather than widening the dock (and with it
    # the window, past the screen).
    assert panel.footer.isHidden()
    least = panel.minimumSizeHint().width()
    panel.cluster_line.setText("Ray cluster: " + " · ".join(f"node 10.0.0.{i}" for i in range(40)))
    assert panel.minimumSizeHint().width() == least
    panel.refresh_cluster()
    job = cluster_client.submit(JobSpec.create("tiny-wan", "a kite over the dunes", seed=3, width=64, height=64,
                                               steps=2))
    panel.refresh()
    if cluster_client.get(job.id).state is JobState.QUEUED:
        assert panel.row_texts(job.id)[WHERE] == ""   # queued: nowhere yet
    def finished() -> bool:
        return cluster_client.get(job.id).state is JobState.DONE and panel.row_texts(job.id)[STATE] == "done"

    play(qtbot, cluster_client, panel, finished)
    where = panel.row_texts(job.id)[WHERE]
    assert where and where == cluster_client.placement(job.id)
    # the panel's own timer brings the cluster line back to idle (no job event says the worker is free)
    play(qtbot, cluster_client, panel, lambda: "1 worker: 0 busy, 1 idle" in panel.cluster_text())
    status = cluster_client.cluster_status()
    assert panel.cluster_text() == f"Ray cluster: {status.describe()}"


def test_a_client_on_this_computer_has_no_cluster_line_or_where_column(qtbot, tmp_path):
    from generation.client import GeneratorClient

    client = GeneratorClient(tmp_path / "jobs.sqlite", tmp_path / "generated", autostart=False)
    try:
        panel = QueuePanel(client)
        qtbot.addWidget(panel)
        job = client.submit(JobSpec.create("tiny-wan", "a kite", seed=1, width=64, height=64, steps=2))
        panel.refresh()
        assert panel.table.isColumnHidden(WHERE) and panel.cluster_line is None and panel.cluster_text() == ""
        assert not panel.footer.isHidden()
        assert panel.row_texts(job.id)[WHERE] == "" and panel.row_texts(job.id)[STATE] == "queued"
    finally:
        client.close()
