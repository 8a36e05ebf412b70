"""The Models dialog's Generator section: where shots are made, this computer or a Ray cluster.

*This computer* runs the local generator worker. *Ray cluster* takes an address (``ray://host:10001``, ``auto``,
or ``local`` to start a Ray on this machine) and, for ``local``, how many workers to run. Without Ray installed
the cluster choice is disabled and says how to add it (``ray_missing_message``). When ``$PROMPTCUT_RAY_ADDRESS``
is set it wins over the saved choice, and the section says so.
"""

from __future__ import annotations

import os

from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from editor.generate.preferences import GenerationPreferences, parse_cluster
from generation.cluster.config import LOCAL, RAY_ADDRESS_ENV, ray_available, ray_missing_message

THIS_COMPUTER = "This computer"
RAY_CLUSTER = "Ray cluster"
ADDRESS_HINT = "ray://host:10001, auto, or local"
MAX_LOCAL_WORKERS = 64


class GeneratorSection(QWidget):
    """The choice as widgets. :meth:`values` gives the preference fields (``generator``, ``cluster_address``,
    ``cluster_workers``); :meth:`problem` is a one-line reason the choice cannot be saved, or ""."""

    def __init__(self, prefs: GenerationPreferences, parent: QWidget | None = None, *,
                 ray: bool | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("generator-section")
        self.ray = ray_available() if ray is None else ray
        self.local_radio = QRadioButton(THIS_COMPUTER)
        self.local_radio.setObjectName("generator-local")
        self.cluster_radio = QRadioButton(RAY_CLUSTER)
        self.cluster_radio.setObjectName("generator-cluster")
        group = QButtonGroup(self)
        group.addButton(self.local_radio)
        group.addButton(self.cluster_radio)

        self.address_edit = QLineEdit(prefs.cluster_address or "")
        self.address_edit.setObjectName("cluster-address")
        self.address_edit.setPlaceholderText(ADDRESS_HINT)
        self.address_edit.setToolTip("ray://HOST:10001: a cluster's head (Ray Client); auto: the cluster this "
                                     "machine is a node of; local: start a Ray on this machine")
        self.address_edit.setClearButtonEnabled(True)
        self.address_edit.setMinimumWidth(260)
        self.address_edit.setMaximumWidth(420)
        self.workers_label = QLabel("Local workers")
        self.workers_spin = QSpinBox()
        self.workers_spin.setObjectName("cluster-workers")
        self.workers_spin.setRange(0, MAX_LOCAL_WORKERS)
        self.workers_spin.setSpecialValueText("Automatic")   # 0: one per GPU (one without a GPU)
        self.workers_spin.setValue(prefs.cluster_workers or 0)
        self.workers_spin.setToolTip("How many generator workers a local Ray runs; Automatic: one per GPU")
        self.workers_spin.setMinimumWidth(110)

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.local_radio)
        row.addSpacing(12)
        row.addWidget(self.cluster_radio)
        row.addWidget(self.address_edit)
        row.addSpacing(8)
        row.addWidget(self.workers_label)
        row.addWidget(self.workers_spin)
        row.addStretch(1)

        # Why the cluster cannot be chosen, or that the environment chose it: one line under the choice.
        self.reason = QLabel("")
        self.reason.setObjectName("generator-reason")
        self.reason.setWordWrap(True)
        self.reason.setEnabled(False)   # greyed like the option it explains
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.reason)

        cluster = prefs.generator == "cluster" and self.ray
        (self.cluster_radio if cluster else self.local_radio).setChecked(True)
        if not self.ray:
            missing = ray_missing_message()
            self.cluster_radio.setEnabled(False)
            self.cluster_radio.setToolTip(missing)
            self.reason.setText(missing[:1].upper() + missing[1:])
        else:
            self.cluster_radio.setToolTip("Spread the shots over the GPUs of a Ray cluster")
        env = os.environ.get(RAY_ADDRESS_ENV, "").strip()
        if env:
            self.reason.setText(f"{RAY_ADDRESS_ENV}={env} is set: it is used instead of this choice")
        self.reason.setVisible(bool(self.reason.text()))
        self.cluster_radio.toggled.connect(self._update)
        self.address_edit.textChanged.connect(self._update)
        self._update()

    def _update(self, *_args: object) -> None:
        # Hidden rather than greyed: the theme draws a disabled field like an enabled one, which reads as
        # "this applies" when it does not. The typed address is kept for when the cluster is chosen again.
        cluster = self.cluster_radio.isChecked()
        self.address_edit.setEnabled(cluster)
        self.address_edit.setVisible(cluster)
        local = cluster and self.address_edit.text().strip().lower() in ("", LOCAL)
        for widget in (self.workers_label, self.workers_spin):
            widget.setEnabled(local)
            widget.setVisible(local)

    def values(self) -> dict[str, object]:
        """The preference fields. An address that does not parse is kept only while the cluster is chosen (and
        then :meth:`problem` stops the save); with *This computer* it is dropped rather than refused."""
        address = self.address_edit.text().strip() or None
        if address is not None and not self.cluster_radio.isChecked() and self._address_problem(address):
            address = None
        return {"generator": "cluster" if self.cluster_radio.isChecked() else "local",
                "cluster_address": address,
                "cluster_workers": self.workers_spin.value() or None}

    def problem(self) -> str:
        address = self.address_edit.text().strip()
        if not self.cluster_radio.isChecked() or not address:
            return ""
        reason = self._address_problem(address)
        return f"Generator: {reason}" if reason else ""

    @staticmethod
    def _address_problem(address: str) -> str:
        try:
            parse_cluster(address)
        except ValueError as exc:
            return str(exc)
        return ""
