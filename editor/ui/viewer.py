"""The viewer: the composited frame at the playhead, the player with sound, transport, meters, preview options.

Paused, a frame is rendered on a worker thread when the playhead moves (only the newest request is kept: a
drag never queues stale frames), and recently shown frames are kept. Playing, ``editor.playback.Player``
renders ahead on its own thread and the sound device is the clock; a timer here only asks it which frame is
due and draws it. Nothing slow runs on the GUI thread.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QObject, QRectF, QRunnable, QSize, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QColor, QFont, QImage, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QSizePolicy, QToolButton, QVBoxLayout, QWidget

from editor.model import GeneratedClip, Timeline
from editor.model.time import timecode
from editor.playback.engine import Player
from editor.playback.preview import DEFAULT_SCALE, SCALES, preview_size
from editor.ui.icons import icon
from editor.ui.level_meter import LevelMeter
from editor.ui.preview_art import load_preview, paint_card_preview
from editor.ui.viewer_overlay import ViewerOverlay, safe_zone_warning

SCRUB_CACHE = 32      # frames kept for scrubbing back and forth over the same stretch
POLL_MS = 4           # how often the display asks the player for the frame due


def to_image(rgb: np.ndarray) -> QImage:
    h, w = rgb.shape[:2]
    return QImage(rgb.tobytes(), w, h, 3 * w, QImage.Format.Format_RGB888).copy()


class _Signals(QObject):
    done = Signal(int, int, object, object)   # request number, frame, QImage or None, the rgb array


class _Render(QRunnable):
    """Renders one frame of a timeline snapshot with the viewer's compositor (its decoders stay warm)."""

    def __init__(self, number: int, compositor, timeline: Timeline, frame: int, size: QSize,
                 signals: _Signals, cards: dict | None = None) -> None:
        super().__init__()
        self.number, self.compositor, self.timeline, self.frame = number, compositor, timeline, frame
        self.size, self.signals, self.cards = size, signals, cards or {}

    def run(self) -> None:
        image = rgb = None
        try:
            rgb = self.compositor.render(self.timeline, self.frame, self.size.width(), self.size.height(), self.cards)
            image = to_image(rgb)
        except Exception:  # noqa: BLE001 - a frame that fails to render shows the slate instead
            image = rgb = None
        self.signals.done.emit(self.number, self.frame, image, rgb)


class Screen(QWidget):
    """Draws the frame letterboxed at the canvas aspect (any window size); a slate naming the clips when there
    is no frame."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ViewerScreen")
        self.image: QImage | None = None
        self.canvas = QSize(1080, 1920)
        self.slate = ""
        # (picture, title, progress): the card of a generating shot under the playhead, with the shot so far
        self.card_preview: tuple[QImage, str, float | None] | None = None
        self.setMinimumSize(160, 160)
        self.overlay = ViewerOverlay(self)   # safe-zone guides, title outline, drag and edit in place

    def canvas_rect(self) -> QRectF:
        w, h = self.width() - 16, self.height() - 16
        scale = min(w / self.canvas.width(), h / self.canvas.height())
        cw, ch = self.canvas.width() * scale, self.canvas.height() * scale
        return QRectF((self.width() - cw) / 2, (self.height() - ch) / 2, cw, ch)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#0d0e11"))
        rect = self.canvas_rect()
        p.fillRect(rect, QColor("#000000"))
        if self.image is not None:
            p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            p.drawImage(rect, self.image)
            if self.card_preview is not None:
                paint_card_preview(p, rect, *self.card_preview)
        elif self.slate:
            p.setPen(QColor("#8a8f99"))
            f = QFont(self.font())
            f.setPointSizeF(10)
            p.setFont(f)
            p.drawText(rect.adjusted(10, 10, -10, -10), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                       self.slate)
        self.overlay.paint(p, rect)
        p.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if not self.overlay.press(event):
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if not self.overlay.move(event):
            super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if not self.overlay.release(event):
            super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if not self.overlay.double_click(event):
            super().mouseDoubleClickEvent(event)


class Viewer(QWidget):
    """``show_frame(timeline, frame)`` shows a frame; ``play(...)``/``stop()`` run the player. Transport buttons
    emit ``transport(action)``; while playing ``position_changed(frame)`` follows the sound, and
    ``playback_stopped(frame)`` says the player stopped by itself (the end of the timeline)."""

    transport = Signal(str)
    position_changed = Signal(int)
    playback_stopped = Signal(int)
    proxies_toggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None, player: Player | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Viewer")
        self.screen_ = Screen(self)
        self.meter = LevelMeter(self)
        self.timecode = QLabel("00:00:00:00", self)
        self.timecode.setObjectName("Timecode")
        self.duration = QLabel("/ 00:00:00:00", self)
        self.duration.setObjectName("Duration")
        bar = QHBoxLayout()
        bar.setContentsMargins(10, 4, 10, 6)
        bar.addWidget(self.timecode)
        bar.addWidget(self.duration)
        bar.addStretch(1)
        self.buttons: dict[str, QToolButton] = {}
        for action, name, tip in (("start", "to_start", "Go to start (Home)"),
                                  ("back", "step_back", "Back one frame (Left)"),
                                  ("play", "play", "Play / pause (Space)"),
                                  ("forward", "step_forward", "Forward one frame (Right)"),
                                  ("end", "to_end", "Go to end (End)")):
            b = QToolButton(self)
            b.setIcon(icon(name))
            b.setIconSize(QSize(20, 20))
            b.setToolTip(tip)
            b.setObjectName("Transport")
            b.clicked.connect(lambda _=False, a=action: self.transport.emit(a))
            bar.addWidget(b)
            self.buttons[action] = b
        self.loop_button = QToolButton(self)
        self.loop_button.setObjectName("Transport")
        self.loop_button.setIcon(icon("loop"))
        self.loop_button.setIconSize(QSize(20, 20))
        self.loop_button.setCheckable(True)
        self.loop_button.setToolTip("Loop playback over the marked In/Out range (Ctrl+L)")
        bar.addWidget(self.loop_button)
        bar.addStretch(1)
        self.dropped_label = QLabel("", self)
        self.dropped_label.setObjectName("Dim")
        self.dropped_label.setToolTip("Frames the player could not show in time (the sound never skips)")
        bar.addWidget(self.dropped_label)
        self.sound_button = QToolButton(self)
        self.sound_button.setObjectName("Transport")
        self.sound_button.setCheckable(True)
        self.sound_button.setIconSize(QSize(18, 18))
        self.sound_button.toggled.connect(self.set_muted)
        bar.addWidget(self.sound_button)
        self.proxy_button = QToolButton(self)
        self.proxy_button.setObjectName("Transport")
        self.proxy_button.setText("Proxy")
        self.proxy_button.setCheckable(True)
        self.proxy_button.setToolTip("Preview from low-resolution proxies (export always uses the originals)")
        self.proxy_button.toggled.connect(self.proxies_toggled)
        bar.addWidget(self.proxy_button)
        self.resolution_button = QToolButton(self)
        self.resolution_button.setObjectName("Transport")
        self.resolution_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.resolution_button.setToolTip("Preview resolution and playback options")
        self.options_menu = QMenu(self)
        group = QActionGroup(self)
        self.resolution_actions: dict[str, QAction] = {}
        for name in SCALES:
            act = QAction(f"{name} resolution", self, checkable=True)
            act.triggered.connect(lambda _=False, n=name: self.set_resolution(n))
            group.addAction(act)
            self.options_menu.addAction(act)
            self.resolution_actions[name] = act
        self.options_menu.addSeparator()
        self.scrub_action = QAction("Audio scrubbing", self, checkable=True, checked=True)
        self.scrub_action.toggled.connect(self._set_scrub)
        self.options_menu.addAction(self.scrub_action)
        self.auto_proxy_action = QAction("Make proxies automatically for heavy media", self, checkable=True,
                                         checked=True)
        self.options_menu.addAction(self.auto_proxy_action)
        # On by default for a portrait canvas (the short-video platforms' buttons cover its edges), off for
        # others, until the user chooses.
        self.safe_zones_action = QAction("Safe zones", self, checkable=True, checked=True)
        self.safe_zones_action.setToolTip("Show where TikTok, Reels and Shorts cover the picture")
        self.safe_zones_action.triggered.connect(self._safe_zones_chosen)
        self.safe_zones_action.toggled.connect(self._set_safe_zones)
        self._safe_zones_chosen_by_user = False
        self.options_menu.addAction(self.safe_zones_action)
        self.safe_button = QToolButton(self)
        self.safe_button.setObjectName("Transport")
        self.safe_button.setDefaultAction(self.safe_zones_action)
        self.safe_button.setText("Safe")
        bar.addWidget(self.safe_button)
        self.resolution_button.setMenu(self.options_menu)
        bar.addWidget(self.resolution_button)
        self.canvas_label = QLabel("", self)
        self.canvas_label.setObjectName("Dim")
        bar.addWidget(self.canvas_label)
        # Facts, not controls: they give up their room first when the viewer is narrow (a docked queue).
        for label in (self.canvas_label, self.dropped_label, self.duration):
            label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
            label.setMinimumWidth(1)     # below its text's width when it must; its full text when there is room
        self.note_label = QLabel("", self)
        self.note_label.setObjectName("Dim")
        self.note_label.setWordWrap(True)
        self.note_label.hide()
        screen_row = QHBoxLayout()
        screen_row.setContentsMargins(0, 0, 4, 0)
        screen_row.setSpacing(2)
        screen_row.addWidget(self.screen_, 1)
        screen_row.addWidget(self.meter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(screen_row, 1)
        layout.addWidget(self.note_label)
        layout.addLayout(bar)

        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._signals = _Signals(self)
        self._signals.done.connect(self._rendered)
        self._number = 0
        self._busy = False
        self._wanted: tuple[Timeline, int, dict] | None = None
        self._recent: OrderedDict[tuple[int, int, int], np.ndarray] = OrderedDict()
        # clip -> (title, progress) for a pending generated segment's card; the window sets this
        self.card_for: Callable[[GeneratedClip], tuple[str, float | None]] | None = None
        # clip -> the latest live preview picture (a path) while it generates; when unset, the ``status(clip)``
        # of the object whose ``card_for`` this is (the window's shots controller) gives its ``preview``
        self.preview_for: Callable[[GeneratedClip], str | None] | None = None
        self._compositor = None   # made on first use: importing the decoders costs start-up time
        # media info -> its proxy's info while proxies are on (the window's Proxies.proxy_for)
        self.proxy_for: Callable | None = None
        self._cards: dict = {}
        self.scale = SCALES[DEFAULT_SCALE]
        self.player = player or Player(self._render_for_player)
        self._timeline: Timeline | None = None
        self._edited = True
        self._shown_frame = -1
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self._poll)
        self._polls = 0
        self.set_resolution(DEFAULT_SCALE)
        self.set_muted(False)

    # --- options ------------------------------------------------------------------------------------------

    @property
    def compositor(self):
        if self._compositor is None:
            from editor.render.compositor import Compositor

            self._compositor = Compositor(Timeline.empty())
            self._compositor.proxy_for = self.proxy_for
        return self._compositor

    def preview_size(self, timeline: Timeline) -> QSize:
        w, h = preview_size(timeline.settings, self.scale)
        return QSize(w, h)

    def set_resolution(self, name: str) -> None:
        self.scale = SCALES[name]
        self.resolution_actions[name].setChecked(True)
        self.resolution_button.setText({"Full": "Full", "Half": "1/2", "Quarter": "1/4"}[name])
        self.invalidate()
        if self._timeline is not None and not self.playing:
            self.show_frame(self._timeline, self._shown_frame if self._shown_frame >= 0 else 0)

    def set_muted(self, muted: bool) -> None:
        self.player.muted = muted
        self.sound_button.setChecked(muted)
        self.sound_button.setIcon(icon("mute" if muted else "speaker"))
        self.sound_button.setToolTip("Sound is off (click to hear it)" if muted else "Mute the preview")
        if self.playing:
            self.player.play(self.player.position(), self.player.speed, self._loop)

    def _safe_zones_chosen(self, _on: bool = False) -> None:
        self._safe_zones_chosen_by_user = True

    def _set_safe_zones(self, on: bool) -> None:
        self.screen_.overlay.safe_zones = on
        self.safe_button.setText("Safe")
        self.screen_.update()
        self.update_safe_note()

    def update_safe_note(self) -> None:
        """The note under the picture: a one-line warning while a title at the playhead (or the selected one)
        leaves the safe zone and the guides are on."""
        overlay = self.screen_.overlay
        if self.playing:
            return
        warning = ""
        if overlay.safe_zones and overlay.timeline is not None:
            warning = safe_zone_warning(overlay.timeline, overlay.frame, overlay.selected())
        self._show_note(warning)

    def _set_scrub(self, on: bool) -> None:
        self.player.scrub_audio = on

    def invalidate(self) -> None:
        """The timeline (or what the compositor reads) changed: recently rendered frames are stale."""
        self._recent.clear()
        self._edited = True
        self.player.forget_frames()

    # --- playback -----------------------------------------------------------------------------------------

    @property
    def playing(self) -> bool:
        return self.timer.isActive()

    _loop: tuple[int, int] | None = None

    def play(self, timeline: Timeline, frame: int, speed: int = 1, loop: tuple[int, int] | None = None) -> None:
        """Play a snapshot of ``timeline`` from ``frame`` (the window passes a copy). Unless something changed
        since the player last loaded one (``invalidate``), the player keeps its own: its sound readers stay
        open and the frames it has composited stay cached."""
        if self._edited or self.player.timeline is None:
            self.player.load(timeline)
            self._edited = False
        self._timeline = timeline = self.player.timeline
        self._cards = self._cards_for(timeline, frame)
        self.screen_.card_preview = None   # the player draws frames; the compositor's card is enough there
        self._loop = loop
        self.player.stats.reset()
        self.player.play(frame, speed, loop)
        self._show_note(self.player.note)
        self.buttons["play"].setIcon(icon("pause"))
        self.dropped_label.setText("")
        self.timer.start()

    def stop(self) -> int:
        frame = self.player.stop() if self.playing else self._shown_frame
        self.timer.stop()
        self.buttons["play"].setIcon(icon("play"))
        self.meter.set_levels(0.0, 0.0)
        self._update_dropped()
        return max(0, frame)

    def set_playing(self, playing: bool) -> None:
        self.buttons["play"].setIcon(icon("pause" if playing else "play"))

    def _show_note(self, note: str) -> None:
        self.note_label.setText(note)
        self.note_label.setVisible(bool(note))

    def _render_for_player(self, timeline: Timeline, frame: int) -> np.ndarray:
        size = self.preview_size(timeline)
        return self.compositor.render(timeline, frame, size.width(), size.height(), self._cards)

    def _poll(self) -> None:
        player = self.player
        if player.ended:
            frame = self.stop()
            self.playback_stopped.emit(frame)
            return
        frame, shown, rgb = player.poll()
        if rgb is not None:
            self.screen_.image = to_image(rgb)
            self.screen_.update()
            self._shown_frame = shown
        if frame != getattr(self, "_reported", None):
            self._reported = frame
            self.position_changed.emit(frame)
        self._polls += 1
        if player.note != self.note_label.text():     # the device went away while playing
            self._show_note(player.note)
        if self._polls % 8 == 0:
            self.meter.set_levels(*player.levels())
            self._update_dropped()

    def _update_dropped(self) -> None:
        n = self.player.stats.dropped
        self.dropped_label.setText(f"{n} dropped" if n else "")

    def scrub(self, frame: int) -> None:
        """The sound under the playhead while it is dragged or stepped (when audio scrubbing is on)."""
        if self.playing or self._timeline is None:
            return
        if self.player.timeline is None or self._edited:
            self.player.load(self._timeline)
            self._edited = False
        self.player.scrub(frame)

    # --- a still frame ------------------------------------------------------------------------------------

    def show_frame(self, timeline: Timeline, frame: int) -> None:
        fps = timeline.fps
        self.timecode.setText(timecode(frame, fps))
        self.duration.setText(f"/ {timecode(timeline.duration, fps)}")
        s = timeline.settings
        self.canvas_label.setText(f"{s.width}×{s.height} · {float(fps):g} fps")
        self.screen_.canvas = QSize(s.width, s.height)
        self.screen_.overlay.frame = frame
        if not self._safe_zones_chosen_by_user and self.safe_zones_action.isChecked() != (s.height > s.width):
            self.safe_zones_action.setChecked(s.height > s.width)
        if self.playing:
            return            # the player draws; the playhead follows it
        self.update_safe_note()
        self.screen_.update()
        self.screen_.slate = _slate(timeline, frame)
        cards = self._cards_for(timeline, frame)
        self.screen_.card_preview = self._card_preview(timeline, frame)
        # The worker thread renders a snapshot, never the timeline the GUI is editing.
        snapshot = timeline.copy()
        self._timeline = snapshot
        size = self.preview_size(timeline)
        hit = self._recent.get((frame, size.width(), size.height()))
        if hit is not None and not cards:
            self._recent.move_to_end((frame, size.width(), size.height()))
            self._number += 1          # a render still running for an older position must not replace this
            self._wanted = None
            self.screen_.image = to_image(hit)
            self._shown_frame = frame
            self.screen_.update()
            return
        self._wanted = (snapshot, frame, cards)
        self._next()

    def _cards_for(self, timeline: Timeline, frame: int) -> dict:
        cards = {}
        if self.card_for is not None:
            for track in timeline.video_tracks:
                clip = track.clip_at(frame)
                if isinstance(clip, GeneratedClip) and clip.pending:
                    cards[clip.id] = self.card_for(clip)
        return cards

    def _card_preview(self, timeline: Timeline, frame: int) -> tuple[QImage, str, float | None] | None:
        """The top clip at ``frame`` when it is a generating shot with a live preview: (picture, card words,
        progress) for the screen to draw over its card."""
        if self.card_for is None:
            return None
        for track in reversed(timeline.video_tracks):
            if track.hidden:
                continue
            clip = track.clip_at(frame)
            if clip is None:
                continue
            if not (isinstance(clip, GeneratedClip) and clip.pending):
                return None
            image = load_preview(self._preview_path(clip))
            if image is None:
                return None
            title, progress = self.card_for(clip)
            return image, title, progress
        return None

    def _preview_path(self, clip: GeneratedClip) -> str | None:
        if self.preview_for is not None:
            return self.preview_for(clip)
        status_of = getattr(getattr(self.card_for, "__self__", None), "status", None)
        status = status_of(clip) if callable(status_of) else None
        if status is None or getattr(status, "state", "") != "generating":
            return None
        return getattr(status, "preview", None)

    def _next(self) -> None:
        if self._busy or self._wanted is None:
            return
        timeline, frame, cards = self._wanted
        self._wanted = None
        self._busy = True
        self._number += 1
        size = self.preview_size(timeline)
        self.pool.start(_Render(self._number, self.compositor, timeline, frame, size, self._signals, cards))

    def _rendered(self, number: int, frame: int, image, rgb) -> None:
        self._busy = False
        if rgb is not None:
            self._recent[(frame, rgb.shape[1], rgb.shape[0])] = rgb
            while len(self._recent) > SCRUB_CACHE:
                self._recent.popitem(last=False)
        if number == self._number and not self.playing:
            self.screen_.image = image
            self._shown_frame = frame
            self.screen_.update()
        self._next()

    def close_player(self) -> None:
        self.timer.stop()
        self.player.close()


def _slate(timeline: Timeline, frame: int) -> str:
    for track in reversed(timeline.video_tracks):
        if track.hidden:
            continue
        clip = track.clip_at(frame)
        if clip is None:
            continue
        if isinstance(clip, GeneratedClip):
            return f"Generated shot{' (pending)' if clip.pending else ''}\n“{clip.spec.prompt}”"
        media = timeline.media.get(clip.media_id() or "")
        return clip.name or (media.name if media else clip.id)
    return ""
