"""The generation queue panel: every job of a ``GeneratorClient``, its state and progress, and the queue's controls.

The panel never polls the client: the window owns the polling timer and hands each batch of events to
:meth:`QueuePanel.on_events` (other views share the same events). A ``progress`` event updates its row in place
from the event alone; events that change the queue (queued, started, done, error, cancelled, requeued,
``queue_changed``) re-read the job list once per batch through :meth:`QueuePanel.refresh`, which only touches
rows whose text changed and moves rows only when the order changed. The footer shows the worker's device and
memory from the events' memory report.

A client that runs its jobs on a Ray cluster (``generation.cluster.client.ClusterClient``: it has ``placement``
and ``cluster_status``) adds a "Where" column (the node and GPU that runs or ran each job) and a line above the
table with the cluster's nodes, free GPUs and busy workers, in place of the footer; the panel's own timer
re-reads both every ``CLUSTER_REFRESH_MS``, as the cluster changes without the job events saying so.

Colours come from the palette and the style (the progress bars are the style's own), so a dark theme just works.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionProgressBar,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from generation.client import DeviceReport, Event, GeneratorClient
from generation.jobs import Job, JobNotFound, JobState, StoreError

__all__ = ["CLUSTER_REFRESH_MS", "COLUMNS", "NOT_AVAILABLE", "NOT_STARTED", "QueuePanel"]

COLUMNS = ("Prompt", "Model", "State", "Progress", "ETA", "Where", "Reason")
PROMPT, MODEL, STATE, PROGRESS, ETA, WHERE, REASON = range(len(COLUMNS))
CLUSTER_REFRESH_MS = 2000
CLUSTER_WAITING = "Ray cluster: connecting…"
NOT_AVAILABLE = "Generation is not available: the generator could not be set up."
NOT_STARTED = "Generator not started"
NOT_RUNNING = "Generator not running"
_PROMPT_CHARS = 48
_REFRESH_KINDS = frozenset({"queued", "started", "done", "error", "cancelled", "requeued", "queue_changed"})
_PERCENT_ROLE = Qt.ItemDataRole.UserRole + 1  # int 0..100 on the progress cell; None: no bar


def _short(text: str, limit: int = _PROMPT_CHARS) -> str:
    s = " ".join(text.split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _eta_text(seconds: float | None) -> str:
    if seconds is None:
        return ""
    s = max(0, int(round(seconds)))
    if s < 60:
        return f"{s} s"
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


class _ProgressDelegate(QStyledItemDelegate):
    """Draws the progress cell as the style's own progress bar (palette colours, dark-theme friendly)."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        percent = index.data(_PERCENT_ROLE)
        if percent is None:
            super().paint(painter, option, index)
            return
        bar = QStyleOptionProgressBar()
        bar.rect = option.rect.adjusted(2, 3, -2, -3)  # type: ignore[attr-defined]
        bar.palette = option.palette  # type: ignore[attr-defined]
        bar.state = option.state | QStyle.StateFlag.State_Horizontal  # type: ignore[attr-defined]
        bar.minimum, bar.maximum, bar.progress = 0, 100, int(percent)
        bar.text = f"{int(percent)}%"
        bar.textVisible = True
        bar.textAlignment = Qt.AlignmentFlag.AlignCenter
        widget = option.widget  # type: ignore[attr-defined]
        style = widget.style() if widget is not None else QApplication.style()
        if option.state & QStyle.StateFlag.State_Selected:  # type: ignore[attr-defined]
            painter.fillRect(option.rect, option.palette.highlight())  # type: ignore[attr-defined]
        style.drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter, widget)


class QueuePanel(QWidget):
    """Every job of ``client`` (None: generation is not available, and the panel says so).

    Public: :meth:`on_events` (the window's polled events), :meth:`refresh` (re-read ``client.jobs()``),
    :meth:`job_ids` (rows in queue order), :meth:`row_texts`, :meth:`selected_job_id`, :meth:`select_job`,
    :meth:`footer_text`; the buttons ``move_up_button``, ``move_down_button``, ``cancel_button``,
    ``retry_button`` and ``clear_button``; ``table`` (the QTreeWidget; None without a client).
    """

    def __init__(self, client: GeneratorClient | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("queuePanel")
        self.client = client
        self._items: dict[str, QTreeWidgetItem] = {}
        self._rows: dict[str, tuple[str, ...]] = {}
        self._jobs: dict[str, Job] = {}
        self._order: list[str] = []
        self._eta: dict[str, tuple[float, float]] = {}  # job id -> (eta_s, monotonic time received)
        self._report: DeviceReport | None = None
        # Duck-typed: the local client has neither, and the panel must not import Ray's side to find out.
        self._cluster = callable(getattr(client, "placement", None)) and callable(
            getattr(client, "cluster_status", None))
        self.cluster_line: QLabel | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.table: QTreeWidget | None = None
        if client is None:
            message = QLabel(NOT_AVAILABLE, self)
            message.setWordWrap(True)
            message.setObjectName("queueUnavailable")
            layout.addWidget(message)
            layout.addStretch(1)
            self.footer = message
            return

        if self._cluster:
            self.cluster_line = QLabel(CLUSTER_WAITING, self)
            self.cluster_line.setObjectName("queueCluster")
            self.cluster_line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            # Wrapped: on one line it set the dock's least width, and the window grew past the screen for it.
            self.cluster_line.setWordWrap(True)
            layout.addWidget(self.cluster_line)
        table = QTreeWidget(self)
        table.setObjectName("queueTable")
        table.setColumnCount(len(COLUMNS))
        table.setHeaderLabels(list(COLUMNS))
        table.setRootIsDecorated(False)
        table.setUniformRowHeights(True)
        table.setAlternatingRowColors(True)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setItemDelegateForColumn(PROGRESS, _ProgressDelegate(table))
        header = table.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(PROMPT, QHeaderView.ResizeMode.Interactive)
        table.setColumnWidth(PROMPT, 220)
        table.setColumnWidth(MODEL, 110)
        table.setColumnWidth(STATE, 150)
        table.setColumnWidth(PROGRESS, 90)
        table.setColumnWidth(ETA, 60)
        table.setColumnWidth(WHERE, 175)   # "node 10.0.0.12 · GPU 3" whole
        table.setColumnHidden(WHERE, not self._cluster)
        table.itemSelectionChanged.connect(self._update_buttons)
        layout.addWidget(table, 1)
        self.table = table

        buttons = QHBoxLayout()
        self.move_up_button = self._button("Move up", "Run the selected job earlier", lambda: self._move(-1))
        self.move_down_button = self._button("Move down", "Run the selected job later", lambda: self._move(+1))
        self.cancel_button = self._button("Cancel", "Cancel the selected job", self._cancel)
        self.retry_button = self._button("Retry", "Queue the selected failed or cancelled job again", self._retry)
        self.clear_button = self._button("Clear finished", "Remove done, failed and cancelled jobs from the list "
                                         "(their takes stay on disk)", self._clear_finished)
        for b in (self.move_up_button, self.move_down_button, self.cancel_button, self.retry_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.clear_button)
        layout.addLayout(buttons)

        self.notice = QLabel("", self)
        self.notice.setObjectName("queueNotice")
        self.notice.setWordWrap(True)
        self.notice.hide()
        layout.addWidget(self.notice)
        self.footer = QLabel(NOT_STARTED, self)
        self.footer.setObjectName("queueFooter")
        self.footer.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.footer)
        # On a cluster each worker has its own device: the cluster line above says what they are doing.
        self.footer.setVisible(not self._cluster)
        report = client.device_report  # a worker already running when the panel is made
        if report is not None:
            self._set_report(report)
        self.refresh()
        if self._cluster:
            self.timer = QTimer(self)
            self.timer.setInterval(CLUSTER_REFRESH_MS)
            self.timer.timeout.connect(self.refresh_cluster)
            self.timer.start()
            self.refresh_cluster()

    def _button(self, text: str, tip: str, slot) -> QPushButton:  # noqa: ANN001 - a callable
        b = QPushButton(text, self)
        b.setToolTip(tip)
        b.setEnabled(False)
        b.clicked.connect(slot)
        return b

    # -- public -------------------------------------------------------------------------------------------------
    def on_events(self, events: Iterable[Event]) -> None:
        """Take the events the window polled from the client: progress in place, one refresh for the rest."""
        if self.client is None:
            return
        need_refresh = False
        for ev in events:
            if ev.device is not None:
                self._set_report(DeviceReport(ev.device, ev.memory_used, ev.memory_total, time=ev.time))
            if ev.kind == "worker_exited":
                self._report = None
                self.footer.setText(NOT_RUNNING)
            elif ev.kind == "progress" and ev.job_id is not None:
                if not self._progress(ev):
                    need_refresh = True
            elif ev.kind in _REFRESH_KINDS:
                need_refresh = True
        if need_refresh:
            self.refresh()

    def refresh(self) -> None:
        """Re-read ``client.jobs()``; update only rows whose text changed, move rows only if the order did."""
        if self.client is None or self.table is None:
            return
        try:
            jobs = self.client.jobs()
        except (StoreError, RuntimeError) as exc:  # a closed or unreadable store: say so, keep the last list
            self._say(f"cannot read the job queue: {exc}")
            return
        table = self.table
        selected = self.selected_job_id()
        ids = [j.id for j in jobs]
        self._jobs = {j.id: j for j in jobs}
        table.blockSignals(True)
        try:
            for gone in set(self._items) - set(self._jobs):
                item = self._items.pop(gone)
                table.takeTopLevelItem(table.indexOfTopLevelItem(item))
                self._rows.pop(gone, None)
                self._eta.pop(gone, None)
            for job in jobs:
                if job.state is not JobState.RUNNING:
                    self._eta.pop(job.id, None)
                values = self._values(job)
                item = self._items.get(job.id)
                if item is None:
                    item = QTreeWidgetItem()
                    item.setData(PROMPT, Qt.ItemDataRole.UserRole, job.id)
                    self._items[job.id] = item
                    table.addTopLevelItem(item)
                if self._rows.get(job.id) != values:
                    self._apply(item, job, values)
            if ids != self._order:
                for index, job_id in enumerate(ids):
                    item = self._items[job_id]
                    at = table.indexOfTopLevelItem(item)
                    if at != index:
                        table.takeTopLevelItem(at)
                        table.insertTopLevelItem(index, item)
                self._order = ids
            if selected is not None and selected in self._items:
                self._items[selected].setSelected(True)
                table.setCurrentItem(self._items[selected])
        finally:
            table.blockSignals(False)
        self._update_buttons()

    def job_ids(self) -> list[str]:
        """The rows' job ids, top to bottom (running, then queued in run order, then finished, newest first)."""
        if self.table is None:
            return []
        return [self.table.topLevelItem(i).data(PROMPT, Qt.ItemDataRole.UserRole)
                for i in range(self.table.topLevelItemCount())]

    def row_texts(self, job_id: str) -> tuple[str, ...]:
        """The cells of a job's row as shown (``COLUMNS`` order)."""
        item = self._items[job_id]
        return tuple(item.text(c) for c in range(len(COLUMNS)))

    def selected_job_id(self) -> str | None:
        if self.table is None:
            return None
        items = self.table.selectedItems()
        return items[0].data(PROMPT, Qt.ItemDataRole.UserRole) if items else None

    def select_job(self, job_id: str) -> None:
        if self.table is None:
            return
        item = self._items[job_id]
        self.table.setCurrentItem(item)
        item.setSelected(True)

    def footer_text(self) -> str:
        return self.footer.text()

    def cluster_text(self) -> str:
        """The cluster line as shown ("" for a client on this computer)."""
        return self.cluster_line.text() if self.cluster_line is not None else ""

    def refresh_cluster(self) -> None:
        """Re-read the cluster's status and where each job runs (the panel's timer calls this)."""
        if not self._cluster or self.cluster_line is None:
            return
        try:
            status = self.client.cluster_status()  # type: ignore[union-attr]
            text = CLUSTER_WAITING if status is None else f"Ray cluster: {status.describe()}"
        except Exception as exc:  # noqa: BLE001 - a cluster going away must not take the panel down
            text = f"Ray cluster: status unavailable ({' '.join(str(exc).split())})"
        if text != self.cluster_line.text():
            self.cluster_line.setText(text)
        self.refresh()

    # -- rows -----------------------------------------------------------------------------------------------------
    def _values(self, job: Job) -> tuple[str, ...]:
        state = job.state.value
        if job.state is JobState.RUNNING:
            if job.cancel_requested:
                state = "cancelling"
            elif job.message:
                state = f"running · {job.message}"
        elif job.state is JobState.DONE and job.cached:
            state = "done (cached)"
        percent = "" if job.state is JobState.QUEUED else f"{int(round(job.progress * 100))}%"
        eta = self._eta.get(job.id)
        eta_text = "" if eta is None else _eta_text(eta[0])
        reason = job.message if job.state is JobState.FAILED else ""
        return (_short(job.spec.prompt), job.spec.model, state, percent, eta_text, self._where(job), reason)

    def _where(self, job: Job) -> str:
        if not self._cluster or job.state is JobState.QUEUED:
            return ""
        try:
            return self.client.placement(job.id) or ""  # type: ignore[union-attr]
        except Exception:  # noqa: BLE001 - a placement is a nicety; the row still shows
            return ""

    def _apply(self, item: QTreeWidgetItem, job: Job, values: tuple[str, ...]) -> None:
        old = self._rows.get(job.id)
        for column, text in enumerate(values):
            if old is None or old[column] != text:
                item.setText(column, text)
        self._set_percent(item, values[PROGRESS])
        if old is None:
            item.setToolTip(PROMPT, job.spec.prompt)
            item.setTextAlignment(ETA, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if job.state is JobState.FAILED:
            detail = values[REASON] + (f"\n{job.hint}" if job.hint else "")
            item.setToolTip(REASON, detail)
            item.setToolTip(STATE, f"failed ({job.error_kind})" if job.error_kind else "failed")
        else:
            item.setToolTip(REASON, "")
            item.setToolTip(STATE, job.message)
        if values[WHERE]:   # the dock is narrow: the Where column is often scrolled away, the state is not
            item.setToolTip(STATE, "\n".join(t for t in (item.toolTip(STATE), f"on {values[WHERE]}") if t))
        item.setToolTip(WHERE, values[WHERE])
        self._rows[job.id] = values

    @staticmethod
    def _set_percent(item: QTreeWidgetItem, text: str) -> None:
        item.setData(PROGRESS, _PERCENT_ROLE, int(text[:-1]) if text.endswith("%") else None)

    def _progress(self, ev: Event) -> bool:
        """Update a running job's row from its progress event; False when the row is unknown (refresh)."""
        assert ev.job_id is not None
        item, old = self._items.get(ev.job_id), self._rows.get(ev.job_id)
        if item is None or old is None:
            return False
        if ev.eta_s is None:
            self._eta.pop(ev.job_id, None)
        else:
            self._eta[ev.job_id] = (ev.eta_s, time.monotonic())
        state = f"running · {ev.message}" if ev.message else "running"
        percent = f"{int(round((ev.fraction or 0.0) * 100))}%"
        values = (old[PROMPT], old[MODEL], state, percent, _eta_text(ev.eta_s), old[WHERE], "")
        for column, text in enumerate(values):
            if old[column] != text:
                item.setText(column, text)
        self._set_percent(item, percent)
        self._rows[ev.job_id] = values
        return True

    # -- footer ---------------------------------------------------------------------------------------------------
    def _set_report(self, report: DeviceReport) -> None:
        self._report = report
        self.footer.setText(report.describe())
        self.footer.setToolTip(report.device)

    def _say(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    # -- buttons --------------------------------------------------------------------------------------------------
    def _queued_ids(self) -> list[str]:
        return [i for i in self._order if self._jobs[i].state is JobState.QUEUED]

    def _update_buttons(self) -> None:
        if self.table is None:
            return
        job = self._jobs.get(self.selected_job_id() or "")
        queued = self._queued_ids()
        is_queued = job is not None and job.state is JobState.QUEUED
        self.move_up_button.setEnabled(is_queued and queued.index(job.id) > 0)  # type: ignore[union-attr]
        self.move_down_button.setEnabled(is_queued and queued.index(job.id) < len(queued) - 1)  # type: ignore[union-attr]
        self.cancel_button.setEnabled(
            job is not None and (is_queued or (job.state is JobState.RUNNING and not job.cancel_requested))
        )
        self.retry_button.setEnabled(job is not None and job.state in (JobState.FAILED, JobState.CANCELLED))
        self.clear_button.setEnabled(any(j.is_final for j in self._jobs.values()))

    def _act(self, action) -> None:  # noqa: ANN001 - a callable
        """Run one queue action; a job that changed under us (it started, another process took it) is a notice."""
        assert self.client is not None
        self._say("")
        try:
            action(self.client)
        except (StoreError, JobNotFound, RuntimeError) as exc:
            self._say(str(exc))
        self.refresh()

    def _move(self, delta: int) -> None:
        job_id = self.selected_job_id()
        queued = self._queued_ids()
        if job_id not in queued:
            return
        i = queued.index(job_id)
        if delta < 0 and i > 0:
            self._act(lambda c: c.reorder(job_id, before=queued[i - 1]))
        elif delta > 0 and i < len(queued) - 1:
            self._act(lambda c: c.reorder(queued[i + 1], before=job_id))

    def _cancel(self) -> None:
        job_id = self.selected_job_id()
        if job_id is not None:
            self._act(lambda c: c.cancel(job_id))

    def _retry(self) -> None:
        job_id = self.selected_job_id()
        if job_id is not None:
            self._act(lambda c: c.retry(job_id))

    def _clear_finished(self) -> None:
        self._act(lambda c: c.clear_finished())
