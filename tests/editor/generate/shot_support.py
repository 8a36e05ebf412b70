"""A document as the window holds it, for shot-queue tests: a timeline, its undo history and a ShotQueue."""

from __future__ import annotations

import time

from editor.generate.shots import ShotQueue
from editor.model import EditError, History, Timeline
from generation.client import GeneratorClient


class Doc:
    """``client``: a real generator client on ``places`` (else none: planning and attaching only)."""

    def __init__(self, tl: Timeline, places, seeds=None, *, client: bool = True, default_model: str = "tiny-wan"):
        self.tl = tl
        self.history = History(tl)
        factory = (lambda: GeneratorClient(places.store_path, places.output_dir)) if client else (lambda: None)
        self.queue = ShotQueue(timeline=lambda: self.tl, do=self.do, places=places, client_factory=factory,
                               default_model=lambda: default_model,
                               **({"seed_source": seeds} if seeds else {}))

    def do(self, command) -> bool:
        try:
            self.history.do(command)
        except EditError:
            return False
        self.tl.check()
        return True

    def run_until(self, predicate, timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            assert time.monotonic() < deadline, "timed out waiting for the generator"
            self.queue.poll()
            time.sleep(0.05)
