"""Choosing a voice whose model is not on this machine offers its download instead of setting a voice that
cannot speak.

``VoiceDownloadOffer.check(key)`` is True when the voice can be used now. Otherwise it asks (``ask``: a small
question naming the model, its size and licence; tests replace it), and on yes opens the Models dialog on the
model's row and starts the download there (progress, cancel, licence question and errors as for any model).
The caller puts its combo back to the voice it had; ``ready(key)`` follows once the model arrived, and every
voice list in the window hears ``sound_models_notifier().changed`` so its "(download)" labels go.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget


def voice_ready(key: str) -> bool:
    """True for "" (the board's or the default voice), a voice whose model is here, and a key we cannot read
    (kept as the project names it: the generator explains it when the line is spoken)."""
    if not key:
        return True
    from editor.generate.preferences import load_preferences
    from generation.audio.locate import find_audio_model
    from generation.audio.models import split_voice

    try:
        info, _voice = split_voice(key)
    except Exception:   # noqa: BLE001 - an unknown voice is not ours to block
        return True
    if info.builtin or info.is_test_model:
        return True
    # Where the generation worker looks: the folder chosen in the Models dialog, else the default one.
    root = load_preferences().models_dir
    return find_audio_model(info, models_root=root, build_test_models=False) is not None or \
        (root is not None and find_audio_model(info, build_test_models=False) is not None)


class VoiceDownloadOffer(QObject):
    """Belongs to a widget with a voice list. ``ready(key)`` once the chosen voice's model is downloaded."""

    ready = Signal(str)

    def __init__(self, owner: QWidget) -> None:
        super().__init__(owner)
        self.owner = owner
        self.dialog = None   # the Models dialog it opened (editor.ui.models_dialog.ModelsDialog)
        self._wanted: tuple[str, str] | None = None   # (model id, voice key) being downloaded

    def ask(self, info, voice) -> bool:
        """Whether to download ``info`` (an AudioModelInfo) for ``voice``. Tests replace this."""
        box = QMessageBox(self.owner)
        box.setObjectName("voice-download")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Download a voice")
        box.setText(f"“{voice.name}” is a voice of {info.name}, which is not downloaded yet.")
        size = f"about {info.size_gb:g} GB" if info.size_gb else "its files"
        box.setInformativeText(f"Download {size} now ({info.license or 'licence not stated'})? The Models "
                               "dialog shows the progress; the voice is set once it is here.")
        download = box.addButton("Download", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(download)
        box.exec()
        return box.clickedButton() is download

    def check(self, key: str) -> bool:
        """True when ``key`` can be used now; else offers its download and returns False."""
        if voice_ready(key):
            return True
        from generation.audio.models import split_voice

        info, voice = split_voice(key)
        if self.ask(info, voice):
            self.download(info.id, key)
        return False

    def download(self, model_id: str, key: str) -> None:
        """Open the Models dialog on ``model_id`` and start its download; ``ready(key)`` once it is here."""
        from editor.ui.models_dialog import ModelsDialog

        self._wanted = (model_id, key)
        if self.dialog is None:
            # Parented to the owner's window, so a modal script dialog does not block it. Kept and reused, so
            # asking twice shows the download under way instead of starting a second one.
            self.dialog = ModelsDialog(self.owner.window())
            self.dialog.download_finished.connect(self._finished)
        elif not self.dialog.downloading():
            self.dialog.refresh()
        self.dialog.show_model(model_id)
        self.dialog.open()
        self.dialog.start_download(model_id)

    def _finished(self, model_id: str, ok: bool) -> None:
        # The dialog has told the window's voice lists already (sound_models_notifier); this says which to set.
        if ok and self._wanted is not None and self._wanted[0] == model_id:
            key = self._wanted[1]
            self._wanted = None
            self.ready.emit(key)
