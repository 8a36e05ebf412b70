"""The one error the project package raises."""

from __future__ import annotations


class ProjectError(Exception):
    """A project file that cannot be read or written. The message is one line: the file, then why.

    ``path`` and ``reason`` hold the two halves.
    """

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = " ".join(str(reason).split())
        super().__init__(f"{path}: {self.reason}")
