"""Help > Keyboard Shortcuts: every action's keys in the chosen layout (PromptCut, Premiere Pro or CapCut), grouped
by menu and searchable, with what the mouse does below. Choosing a layout applies it to the window at once and is
remembered (``WindowActions.set_keyboard_layout``). What it lists comes from ``editor.keymaps``."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from editor import keymaps

NAME_ROLE = Qt.ItemDataRole.UserRole
# The theme's colours (assets/style.qss), not the palette's: on a desktop with a light system palette the
# palette's button colour made the group rows white under the theme's light text.
GROUP_BG = QColor("#23252c")  # as the table headers
NO_KEYS = QColor("#8a8f99")


class ShortcutsDialog(QDialog):
    """Non-modal: it can stay open beside the window while the keys are tried."""

    def __init__(self, window: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent if parent is not None else window)
        self.setObjectName("ShortcutsDialog")
        self.setWindowTitle("Keyboard Shortcuts")
        self.window_ = window
        self.resize(700, 760)

        self.layout_combo = QComboBox()
        for name in keymaps.LAYOUTS:
            self.layout_combo.addItem(keymaps.LAYOUT_TITLES[name], name)
        self.layout_combo.setToolTip("Which editor's keys PromptCut answers to; applies at once and is remembered")
        self.layout_combo.currentIndexChanged.connect(self._layout_chosen)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search actions or keys")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.filter)
        top = QHBoxLayout()
        top.addWidget(QLabel("Layout:"))
        top.addWidget(self.layout_combo)
        top.addSpacing(12)
        top.addWidget(self.search, 1)

        self.note = QLabel()
        self.note.setObjectName("Dim")
        self.note.setWordWrap(True)

        self.keys = _tree(("Action", "Keys"), stretch=0)
        self.gestures = _tree(("Mouse", "What it does"), stretch=1)
        self._fill_gestures()
        self.empty = QLabel("Nothing matches the search")
        self.empty.setObjectName("Dim")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.hide()

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)

        box = QVBoxLayout(self)
        box.addLayout(top)
        box.addWidget(self.note)
        box.addWidget(self.keys, 1)
        box.addWidget(self.empty, 1)
        box.addWidget(self.gestures)
        box.addWidget(buttons)
        self.show_layout(getattr(window, "keyboard_layout", keymaps.DEFAULT))
        self.search.setFocus()

    # --- what it shows ---------------------------------------------------------------------------------

    def show_layout(self, layout: str) -> None:
        """List ``layout``'s keys and select it in the combo box, without applying it to the window."""
        layout = keymaps.find_layout(layout) or keymaps.DEFAULT
        self.layout_combo.blockSignals(True)
        self.layout_combo.setCurrentIndex(keymaps.LAYOUTS.index(layout))
        self.layout_combo.blockSignals(False)
        self._fill_keys(layout)
        title = keymaps.LAYOUT_TITLES[layout]
        self.note.setText("" if layout == keymaps.PROMPTCUT else
                          f"{title}'s default keys where it has the action; PromptCut's own keys for the rest.")
        self.note.setVisible(layout != keymaps.PROMPTCUT)
        self.filter(self.search.text())

    def _fill_keys(self, layout: str) -> None:
        self.keys.clear()
        groups: dict[str, QTreeWidgetItem] = {}
        bold = QFont(self.keys.font())
        bold.setBold(True)
        for action in keymaps.ACTIONS:
            group = groups.get(action.menu)
            if group is None:
                group = groups[action.menu] = QTreeWidgetItem(self.keys, [action.menu])
                group.setFont(0, bold)
                group.setBackground(0, GROUP_BG)
                group.setBackground(1, GROUP_BG)
                group.setFlags(Qt.ItemFlag.ItemIsEnabled)
                group.setFirstColumnSpanned(True)
                group.setExpanded(True)
            keys = action.keys[layout]
            row = QTreeWidgetItem(group, [action.label, ", ".join(keys) if keys else "—"])
            row.setData(0, NAME_ROLE, action.name)
            row.setToolTip(0, action.label)
            if not keys:
                row.setForeground(1, NO_KEYS)

    def _fill_gestures(self) -> None:
        for gesture, what in keymaps.GESTURES:
            QTreeWidgetItem(self.gestures, [gesture, what])

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        # The gestures are few: all of them without a scroll bar, measured once the theme has sized the rows.
        tree = self.gestures
        rows = tree.topLevelItemCount()
        tree.setFixedHeight(tree.header().sizeHint().height() + rows * max(tree.sizeHintForRow(0), 1)
                            + 2 * tree.frameWidth() + 2)
        super().showEvent(event)

    def filter(self, text: str) -> None:
        """Show the actions whose name, menu or keys hold ``text`` (any case), and the matching gestures."""
        needle = text.strip().lower()
        any_shown = False
        for i in range(self.keys.topLevelItemCount()):
            group = self.keys.topLevelItem(i)
            group_hit = needle in group.text(0).lower()
            shown = 0
            for j in range(group.childCount()):
                row = group.child(j)
                hit = not needle or group_hit or needle in row.text(0).lower() or needle in row.text(1).lower()
                row.setHidden(not hit)
                shown += hit
            group.setHidden(shown == 0)
            any_shown = any_shown or shown > 0
        self.empty.setVisible(not any_shown)
        self.keys.setVisible(any_shown)
        gestures_shown = 0
        for i in range(self.gestures.topLevelItemCount()):
            row = self.gestures.topLevelItem(i)
            hit = not needle or needle in row.text(0).lower() or needle in row.text(1).lower()
            row.setHidden(not hit)
            gestures_shown += hit
        self.gestures.setVisible(gestures_shown > 0)

    def visible_actions(self) -> list[str]:
        """The names of the actions the list shows now, in order."""
        names = []
        for i in range(self.keys.topLevelItemCount()):
            group = self.keys.topLevelItem(i)
            if group.isHidden():
                continue
            names += [group.child(j).data(0, NAME_ROLE) for j in range(group.childCount())
                      if not group.child(j).isHidden()]
        return names

    def shown_keys(self, action: str) -> str:
        """The keys the list shows for ``action`` ("—" for none)."""
        for i in range(self.keys.topLevelItemCount()):
            group = self.keys.topLevelItem(i)
            for j in range(group.childCount()):
                if group.child(j).data(0, NAME_ROLE) == action:
                    return group.child(j).text(1)
        raise KeyError(action)

    # --- choosing ----------------------------------------------------------------------------------------

    def _layout_chosen(self, index: int) -> None:
        layout = self.layout_combo.itemData(index)
        owner = self.window_
        if hasattr(owner, "set_keyboard_layout"):
            owner.set_keyboard_layout(layout)
        self.show_layout(layout)


def _tree(headers: tuple[str, str], stretch: int) -> QTreeWidget:
    tree = QTreeWidget()
    tree.setColumnCount(2)
    tree.setHeaderLabels(list(headers))
    tree.setRootIsDecorated(False)
    tree.setItemsExpandable(False)
    tree.setUniformRowHeights(True)
    tree.setAlternatingRowColors(True)
    tree.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    tree.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    tree.setStyleSheet("QTreeWidget::item { padding: 2px 6px; }")     # the theme's rows are tight for reading
    header = tree.header()
    header.setStretchLastSection(False)
    header.setMinimumSectionSize(190)     # a column of short keys ("=") stays a column while searching
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    header.setSectionResizeMode(1 - stretch, QHeaderView.ResizeMode.ResizeToContents)
    return tree
