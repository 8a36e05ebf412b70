"""The cast list: the people and places that recur across a storyboard's shots, each a name, a picture and a
description. Add, edit and remove them (each one undo step through ``editor.storyboard.edits``); a shot that
names a member shows them, conditioned on the picture where its model can take one."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from editor.model.story import CastMember

ICON = QSize(56, 56)
IMAGE_FILTER = "Pictures (*.png *.jpg *.jpeg *.webp *.bmp);;All files (*)"


def _placeholder(name: str, size: QSize = ICON) -> QPixmap:
    """The member's initials on a dark tile: the picture while it loads, or when there is none."""
    pix = QPixmap(size)
    pix.fill(QColor("#2b2e36"))
    p = QPainter(pix)
    p.setPen(QColor("#9aa0ab"))
    font = p.font()
    font.setPointSizeF(15)
    font.setBold(True)
    p.setFont(font)
    initials = "".join(w[0] for w in name.split()[:2]).upper() or "?"
    p.drawText(pix.rect(), Qt.AlignmentFlag.AlignCenter, initials)
    p.end()
    return pix


def _cover(image: QImage, size: QSize = ICON) -> QPixmap:
    """``image`` filling a ``size`` tile, cropped to it, centred."""
    scaled = image.scaled(size, Qt.AspectRatioMode.KeepAspectRatioByExpanding,
                          Qt.TransformationMode.SmoothTransformation)
    x, y = (scaled.width() - size.width()) // 2, (scaled.height() - size.height()) // 2
    return QPixmap.fromImage(scaled.copy(x, y, size.width(), size.height()))


class CastDialog(QDialog):
    """Name, picture (a file) and description of one cast member; ``values()`` after it is accepted."""

    def __init__(self, parent: QWidget | None = None, member: CastMember | None = None,
                 base_dir: Path | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit cast member" if member else "Add cast member")
        self.setObjectName("CastDialog")
        self.base_dir = base_dir
        self.name = QLineEdit(member.name if member else "")
        self.name.setPlaceholderText("Ana, the lighthouse, …")
        self.image = QLineEdit(member.image if member else "")
        self.image.setPlaceholderText("A picture of them (optional)")
        browse = QPushButton("Choose…")
        browse.clicked.connect(self.choose_picture)
        self.preview = QLabel()
        self.preview.setFixedSize(96, 96)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.description = QPlainTextEdit(member.description if member else "")
        self.description.setPlaceholderText("Words added to every shot that shows them: “a woman in her thirties "
                                            "with short red hair and a yellow raincoat”")
        self.description.setFixedHeight(84)
        self.error = QLabel("")
        self.error.setStyleSheet("color: #e06c6c;")
        row = QHBoxLayout()
        row.addWidget(self.image, 1)
        row.addWidget(browse)
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Picture", row)
        form.addRow("", self.preview)
        form.addRow("Description", self.description)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.image.textChanged.connect(self._show_picture)
        self.name.textChanged.connect(self._show_picture)   # the initials, while there is no picture
        self._show_picture()
        self.resize(460, self.sizeHint().height())

    def choose_picture(self) -> None:
        from editor.ui.file_dialogs import choose_files

        paths = choose_files(self, "Picture of the cast member", IMAGE_FILTER, key="cast")
        if paths:
            self.image.setText(paths[0])

    def _show_picture(self, *_ignored: object) -> None:
        path = self.image.text().strip()
        image = QImage(str(self._resolve(path))) if path and self._exists(path) else QImage()
        size = QSize(96, 96)
        self.preview.setPixmap(_cover(image, size) if not image.isNull() else _placeholder(self.name.text(), size))

    def _resolve(self, path: str) -> Path | None:
        """The file a typed path names: ~ expanded, relative to the project folder; None when the path cannot
        even be looked up (an unknown ~user)."""
        try:
            p = Path(path).expanduser()
        except RuntimeError:
            return None
        if not p.is_absolute() and self.base_dir is not None:
            p = self.base_dir / p
        return p.absolute()

    def _exists(self, path: str) -> bool:
        found = self._resolve(path)
        try:
            return found is not None and found.is_file()
        except (OSError, ValueError):   # a name too long for the file system
            return False

    def values(self) -> tuple[str, str, str]:
        """Name, picture and description. The picture is the file the dialog checked, as an absolute path:
        the text typed may be relative to the project folder, which the edit cannot know."""
        image = self.image.text().strip()
        found = self._resolve(image) if image else None
        return (self.name.text().strip(), str(found) if found is not None else image,
                self.description.toPlainText().strip())

    def _accept(self) -> None:
        name, _, _ = self.values()
        image = self.image.text().strip()
        if not name:
            self.error.setText("A cast member needs a name")
            return
        if image and not self._exists(image):
            self.error.setText(f"No picture at {image}")
            return
        self.accept()


class CastPanel(QWidget):
    """The project's cast as a list with pictures; ``message(str)`` for the status bar."""

    message = Signal(str)

    def __init__(self, edits, art=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("CastPanel")
        self.edits = edits
        self.art = art   # the timeline's ClipArt: pictures load off the GUI thread
        self.base_dir: Path | None = None
        self.list = QListWidget()
        self.list.setObjectName("CastList")
        self.list.setIconSize(ICON)
        self.list.setSpacing(2)
        self.list.setWordWrap(True)
        self.list.itemDoubleClicked.connect(lambda _item: self.edit_dialog())
        self.list.currentRowChanged.connect(self._update_buttons)
        self.add_button = QPushButton("Add…")
        self.add_button.setToolTip("A character or a place that recurs: name, picture, description")
        self.add_button.clicked.connect(self.add_dialog)
        self.edit_button = QPushButton("Edit…")
        self.edit_button.clicked.connect(self.edit_dialog)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove_selected)
        self.hint = QLabel("Shots that name a cast member show them: their picture conditions the shot where the "
                           "model can take one, their description joins the prompt.")
        self.hint.setObjectName("Dim")
        self.hint.setWordWrap(True)
        buttons = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.remove_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.hint)
        layout.addLayout(buttons)
        if art is not None:
            art.ready.connect(self._art_ready)
        self._waiting: set[object] = set()
        self.refresh()

    @property
    def timeline(self):
        return self.edits.timeline

    def member_ids(self) -> list[str]:
        return [self.list.item(r).data(Qt.ItemDataRole.UserRole) for r in range(self.list.count())]

    def refresh(self) -> None:
        current = self.current_id()
        self.list.clear()
        for member in self.timeline.story.cast:
            text = member.name + (f"\n{member.description}" if member.description else "")
            item = QListWidgetItem(QIcon(self._picture(member)), text)
            item.setData(Qt.ItemDataRole.UserRole, member.id)
            item.setToolTip(f"{member.name}\n{member.image or 'no picture'}\n{member.description}".strip())
            item.setSizeHint(QSize(0, ICON.height() + 10))
            self.list.addItem(item)
            if member.id == current:
                self.list.setCurrentItem(item)
        self._update_buttons()

    def current_id(self) -> str | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _update_buttons(self, *_ignored: object) -> None:
        has = self.current_id() is not None
        self.edit_button.setEnabled(has)
        self.remove_button.setEnabled(has)

    def _picture(self, member: CastMember) -> QPixmap:
        path = self._image_path(member.image)
        if self.art is None or path is None:
            return _placeholder(member.name)
        from editor.ui.clip_art import thumb_key

        image = self.art.thumb(str(path), 0.0, ICON.height() * 2)
        if image is None:
            self._waiting.add(thumb_key(str(path), 0.0, ICON.height() * 2))
            return _placeholder(member.name)
        return _cover(image)

    def _image_path(self, image: str) -> Path | None:
        if not image:
            return None
        try:
            p = Path(image).expanduser()
            if not p.is_absolute() and self.base_dir is not None:
                p = self.base_dir / p
            return p if p.is_file() else None
        except (OSError, RuntimeError, ValueError):   # a path that cannot be looked up: no picture
            return None

    def _art_ready(self, key: object) -> None:
        if key in self._waiting:
            self._waiting.discard(key)
            self.refresh()

    # --- edits (one undo step each) ----------------------------------------------------------------

    def _do(self, make, *args, **kwargs) -> bool:
        from editor.model import EditError

        try:
            command = make(self.timeline, *args, **kwargs)
        except (EditError, ValueError, KeyError) as exc:
            self.message.emit((str(exc) or type(exc).__name__).splitlines()[0])
            return False
        return command is not None and self.edits.do(command)

    def add_member(self, name: str, image: str = "", description: str = "") -> bool:
        from editor.storyboard.edits import add_cast

        return self._do(add_cast, name, image, description)

    def edit_member(self, member_id: str, *, name: str, image: str, description: str) -> bool:
        from editor.storyboard.edits import edit_cast

        return self._do(edit_cast, member_id, name=name, image=image, description=description)

    def remove_member(self, member_id: str) -> bool:
        from editor.storyboard.edits import remove_cast

        return self._do(remove_cast, member_id)

    def add_dialog(self) -> CastDialog:
        dialog = CastDialog(self, base_dir=self.base_dir)
        dialog.accepted.connect(lambda: self.add_member(*dialog.values()))
        self._dialog = dialog
        dialog.open()
        return dialog

    def edit_dialog(self) -> CastDialog | None:
        member_id = self.current_id()
        if member_id is None:
            return None
        dialog = CastDialog(self, self.timeline.story.member(member_id), base_dir=self.base_dir)

        def done() -> None:
            name, image, description = dialog.values()
            self.edit_member(member_id, name=name, image=image, description=description)

        dialog.accepted.connect(done)
        self._dialog = dialog
        dialog.open()
        return dialog

    def remove_selected(self) -> bool:
        member_id = self.current_id()
        return member_id is not None and self.remove_member(member_id)
