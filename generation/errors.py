"""Errors the generator reports. Each message is one line meant for a person; ``hint`` says what to change."""

from __future__ import annotations

from typing import Any


class GenerationError(RuntimeError):
    """A job failed in a way the creator can act on.

    ``kind`` is a stable machine-readable word (``out_of_memory``, ``model_missing``, ``bad_request``,
    ``pipeline``, ``write``); ``hint`` is the fix in words; ``fix`` the settings that would apply it.
    """

    def __init__(self, message: str, *, kind: str = "pipeline", hint: str = "", fix: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.hint = hint
        self.fix = dict(fix or {})
        self.detail = ""  # a traceback or log tail, for logs rather than for people

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip() if self.hint else self.message

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "message": self.message, "hint": self.hint, "fix": self.fix}


class ModelNotInstalled(GenerationError):
    def __init__(self, message: str, *, hint: str = ""):
        super().__init__(message, kind="model_missing", hint=hint)


class Cancelled(Exception):  # noqa: N818 - a state, not a fault
    """The job was cancelled between steps. Not a GenerationError: nothing went wrong."""
