"""The window's transport: Space, J/K/L shuttle, stepping, loop over In/Out, and the playhead following the
player (``Viewer``/``editor.playback``), whose clock is the sound."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QTimer, Signal

from editor.playback.proxies import Proxies, ProxyState


class _ProxyBridge(QObject):
    changed = Signal(str, object)     # path, ProxyState: from the proxy thread to the GUI thread


class WindowPlayback:
    """Mixed into MainWindow: needs ``viewer``, ``timeline_view``, ``timeline``, ``edits``."""

    def _init_playback(self) -> None:
        viewer = self.viewer
        self.proxies = Proxies()
        viewer.proxy_for = self.proxies.proxy_for
        self._proxy_bridge = _ProxyBridge(self)
        self._proxy_bridge.changed.connect(self._proxy_changed)
        self.proxies.listeners.append(self._proxy_bridge.changed.emit)
        viewer.proxies_toggled.connect(self.set_proxies)
        viewer.auto_proxy_action.toggled.connect(self._auto_proxies)
        # Heavy media get proxies made as soon as they are on the timeline, and the preview uses them; the
        # viewer's Proxy button turns that off (and on again).
        self.proxies.enabled = True
        viewer.proxy_button.setChecked(True)
        QTimer.singleShot(0, self.consider_proxies)
        viewer.transport.connect(self._transport)
        viewer.position_changed.connect(self._follow_player)
        viewer.playback_stopped.connect(self._follow_player)
        viewer.loop_button.toggled.connect(self._loop_toggled)
        self.timeline_view.scrubbed.connect(viewer.scrub)
        self.edits.stack.indexChanged.connect(self._edited)

    @property
    def play_speed(self) -> int:
        return self.viewer.player.speed if self.viewer.playing else 0

    def loop_range(self) -> tuple[int, int] | None:
        """The marked In/Out range when the loop is on (the whole timeline when nothing is marked)."""
        if not self.viewer.loop_button.isChecked():
            return None
        tv = self.timeline_view
        a = tv.mark_in if tv.mark_in is not None else 0
        b = tv.mark_out if tv.mark_out is not None else self.timeline.duration
        return (a, b) if b > a else None

    def step(self, frames: int) -> None:
        self.stop()
        self.timeline_view.set_playhead(self.timeline_view.playhead + frames)
        self.viewer.scrub(self.timeline_view.playhead)

    def toggle_play(self) -> None:
        if self.viewer.playing:
            self.stop()
        else:
            self.shuttle(1, restart=True)

    def shuttle(self, direction: int, restart: bool = False) -> None:
        """J/L: start or speed up playback that way (1x, 2x, 4x, 8x); sound at 1x only."""
        speed = self.play_speed
        same_way = speed != 0 and (speed > 0) == (direction > 0)
        speed = max(-8, min(8, speed * 2)) if same_way and not restart else direction
        start = self.timeline_view.playhead
        end = self.timeline.duration
        if speed > 0 and start >= end - 1 and self.loop_range() is None:
            start = 0                 # Play at the end starts again from the top, as every NLE does
        self.viewer.play(self.timeline.copy(), start, speed, self.loop_range())

    def stop(self) -> None:
        if self.viewer.playing:
            frame = self.viewer.stop()
            self.timeline_view.set_playhead(frame)
        else:
            self.viewer.set_playing(False)

    def _follow_player(self, frame: int) -> None:
        self.timeline_view.set_playhead(frame)

    def _loop_toggled(self, _on: bool) -> None:
        if self.viewer.playing:
            self.viewer.play(self.viewer.player.timeline, self.viewer.player.position(), self.play_speed,
                             self.loop_range())

    # --- proxies ------------------------------------------------------------------------------------------

    def set_proxies(self, on: bool) -> None:
        """The viewer's Proxy toggle: preview from proxies where they are ready (export never does)."""
        self.proxies.enabled = on
        if self.viewer.proxy_button.isChecked() != on:
            self.viewer.proxy_button.setChecked(on)
        self._refresh_picture()
        if on:
            self.consider_proxies()

    def consider_proxies(self) -> None:
        """Ask for proxies of heavy media on the timeline (probing and reading keyframes beside the GUI)."""
        paths = self.proxies.unjudged(self.timeline)     # new media only: most edits start nothing
        if paths:
            threading.Thread(target=self.proxies.consider_paths, args=(paths,), name="proxy-scan",
                             daemon=True).start()

    def _auto_proxies(self, on: bool) -> None:
        self.proxies.auto = on
        if on:
            self.consider_proxies()

    def _proxy_changed(self, path: str, state: ProxyState) -> None:
        making = [s for s in self.proxies.states.values() if s.state in ("queued", "making")]
        button = self.viewer.proxy_button
        if making:
            done = sum(s.progress for s in making) / len(making)
            button.setText(f"Proxy {int(done * 100)}%")
        else:
            button.setText("Proxy")
        if state.state == "failed":
            self.show_message(f"proxy: {state.reason}")
        elif state.state == "ready" and self.proxies.enabled:
            self._refresh_picture()

    def _refresh_picture(self) -> None:
        self.viewer.invalidate()
        if self.viewer.playing:
            self.viewer.play(self.timeline.copy(), self.viewer.player.position(), self.play_speed,
                             self.loop_range())
        else:
            self.viewer.show_frame(self.timeline, self.timeline_view.playhead)

    def playback_document_changed(self) -> None:
        """Another timeline was opened: nothing of the old one is shown or played, and its own picture at the
        playhead shows at once (not only after the first click on the timeline)."""
        self.viewer.invalidate()
        self.consider_proxies()
        self.viewer.show_frame(self.timeline, self.timeline_view.playhead)

    def _edited(self, *_ignored: object) -> None:
        """Any edit, undo or redo shows at once: a new frame at the playhead (a title's new words, a moved
        keyframe), or while playing a new snapshot for the player."""
        self.viewer.invalidate()
        self.consider_proxies()
        if self.viewer.playing:   # hear and see the edit at once: the player takes a new snapshot
            self.viewer.play(self.timeline.copy(), self.viewer.player.position(), self.play_speed,
                             self.loop_range())
        else:
            self.viewer.show_frame(self.timeline, self.timeline_view.playhead)

    def _transport(self, action: str) -> None:
        {"start": lambda: self._jump(0), "back": lambda: self.step(-1),
         "play": self.toggle_play, "forward": lambda: self.step(1),
         "end": lambda: self._jump(self.timeline.duration)}[action]()

    def _jump(self, frame: int) -> None:
        self.stop()
        self.timeline_view.set_playhead(frame)
