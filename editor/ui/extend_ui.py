"""The window's side of generative extend: a recorded clip's edge dragged past its media offers to generate
the missing frames (``editor.generate.extend``).

The timeline's mouse code holds the trim at the media's end and calls :func:`offer_extension` on release
with the frames dragged beyond it; the offer (:class:`ExtendOffer`, a small non-modal dialog by the pointer)
names the length, picks a model that can extend that side (one that takes a video first) and an optional
prompt; Generate plans the extension and queues it on the window's shot queue (``window.shots.queue``), where
it generates, shows its progress and gets takes like any generated shot.
"""

from __future__ import annotations

from fractions import Fraction

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QComboBox, QDialog, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from editor.model import MediaClip, Timeline


def media_bound(timeline: Timeline, clip_id: str, side: str) -> int | None:
    """Where a plain trim of a recorded clip's ``side`` must stop (its media's last / first frame), or None
    when the clip is not one generative extend applies to (stills, generated shots, retimed clips)."""
    try:
        _, clip = timeline.find(clip_id)
    except KeyError:
        return None
    if not isinstance(clip, MediaClip) or clip.retimed or timeline.is_still(clip):
        return None
    media = timeline.media.get(clip.media)
    if media is None or not media.has_video:
        return None
    if side == "head":
        return clip.start - clip.source_in
    limit = timeline.media_frames(clip)
    return None if limit is None else clip.start + (limit - clip.source_in)


def seconds_text(frames: int, fps: Fraction) -> str:
    return f"{float(Fraction(frames) / fps):.1f} s"


def extension_choices(side: str) -> list[tuple[str, str]]:
    """(model id, label) of the models this machine can extend ``side`` with: installed real models, then
    the test models (built on use), each group with the video-taking models first."""
    from editor.generate.catalog import model_rows
    from editor.generate.extend import extend_label, extension_models

    rows = model_rows(sizes=False)
    usable = [r.model for r in rows if r.installed and not r.model.is_test_model]
    tests = [r.model for r in rows if r.model.is_test_model]
    return [(m.id, extend_label(m, side)) for m in (*extension_models(side, usable), *extension_models(side, tests))]


class ExtendOffer(QDialog):
    """ "Generate 2.0 s extension" with a model and an optional prompt; Cancel."""

    def __init__(
        self,
        view,
        clip_id: str,
        side: str,
        frames: int,
        choices: list[tuple[str, str]],
        preferred: str | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.view, self.clip_id, self.side, self.frames = view, clip_id, side, frames
        self.setWindowTitle("Generative extend")
        length = seconds_text(frames, view.timeline.fps)
        where = "after the end" if side == "tail" else "before the start"
        self.label = QLabel(f"The clip's media has no more frames. Generate {length} {where} of it?")
        self.model = QComboBox()
        for model_id, label in choices:
            self.model.addItem(label, model_id)
        if preferred is not None and self.model.findData(preferred) >= 0:
            self.model.setCurrentIndex(self.model.findData(preferred))
        self.prompt = QLineEdit()
        self.prompt.setPlaceholderText("What happens next (optional)")
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.generate_button = QPushButton(f"Generate {length} extension")
        self.generate_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel")
        self.generate_button.clicked.connect(self.generate)
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.generate_button)
        layout = QVBoxLayout(self)
        for widget in (self.label, self.model, self.prompt, self.error):
            layout.addWidget(widget)
        layout.addLayout(buttons)

    def generate(self) -> bool:
        """Plan the extension and queue it on the window's shot queue; a refusal stays in the dialog."""
        from editor.generate.extend import ExtendError, plan_extension

        shots = getattr(self.view.window(), "shots", None)
        if shots is None:
            self.error.setText("This window cannot generate shots")
            return False
        queue = shots.queue
        try:
            ext = plan_extension(
                self.view.timeline,
                self.clip_id,
                self.side,
                self.frames,
                self.model.currentData(),
                queue.places.make(),
                prompt=self.prompt.text(),
            )
        except ExtendError as exc:
            self.error.setText(str(exc))
            return False
        message = self.view.message

        def done(clip, why: str) -> None:
            message.emit(why if clip is None else f"Generating {clip.name}")

        if not ext.request(queue, on_done=done):
            self.error.setText(queue.notices[-1] if queue.notices else "Cannot generate this extension")
            return False
        for note in ext.notes:
            message.emit(note)
        self.accept()
        return True


def offer_extension(view, clip_id: str, side: str, frames: int, at: QPoint | None = None) -> ExtendOffer | None:
    """Show the offer for ``frames`` generated frames on ``side`` of ``clip_id`` (kept on ``view.extend_offer``);
    None, with a message, when no model here can extend that side."""
    old = getattr(view, "extend_offer", None)
    if old is not None:
        old.close()
    view.extend_offer = None
    choices = extension_choices(side)
    if not choices:
        view.message.emit("No installed model can generate an extension: get one in the models dialog")
        return None
    preferred = None
    shots = getattr(view.window(), "shots", None)
    if shots is not None:
        preferred = shots.queue.default_model()
    dialog = ExtendOffer(view, clip_id, side, frames, choices, preferred, parent=view)
    dialog.setWindowFlag(Qt.WindowType.Tool)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.finished.connect(lambda _r: setattr(view, "extend_offer", None))
    if at is not None:
        dialog.move(at)
    view.extend_offer = dialog
    dialog.show()
    return dialog
