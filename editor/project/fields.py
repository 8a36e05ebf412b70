"""The project reader's field checks: each takes a JSON value and where it sits in the document, and returns
the checked value or raises ``Bad`` with a one-line reason naming that place ("tracks[0].clips[2].start:
expected a whole number, got '12'"). ``Reader`` walks one object, noting the fields it was asked for, so
unknown ones become warnings."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from fractions import Fraction
from typing import Any


class Bad(Exception):
    """A problem at a place in the document: turned into a ProjectError naming the file."""


MISSING = object()
FRACTION_RE = re.compile(r"\d{1,40}(/\d{1,40})?")
# The widest whole number a field may hold: 64 bits (a seed may be any unsigned 64-bit number, as torch takes
# them). A 4000-digit number is refused here, before anything multiplies it.
MAX_INT = 2**64


def describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


class Reader:
    """Reads one JSON object, checking each field; remembers unknown keys for a warning."""

    def __init__(self, value: Any, where: str, warnings: list[str]) -> None:
        if not isinstance(value, dict):
            raise Bad(f"{where or 'the document'}: expected an object, got {describe(value)}")
        self.obj = value
        self.where = where
        self.warnings = warnings
        self.seen: set[str] = set()

    def at(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def get(self, key: str, check: Callable[[Any, str], Any], default: Any = MISSING) -> Any:
        self.seen.add(key)
        if key not in self.obj:
            if default is MISSING:
                raise Bad(f"missing field '{self.at(key)}'")
            return default
        return check(self.obj[key], self.at(key))

    def done(self) -> None:
        for key in self.obj:
            if key not in self.seen:
                self.warnings.append(f"ignored unknown field '{self.at(key)}'")


def as_int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Bad(f"{where}: expected a whole number, got {describe(value)}")
    if not -MAX_INT <= value <= MAX_INT:
        raise Bad(f"{where}: the number {describe(value)} is too large")
    return value


def as_count(value: Any, where: str) -> int:
    value = as_int(value, where)
    if value < 0:
        raise Bad(f"{where}: must not be negative, got {value}")
    return value


def as_opt_int(value: Any, where: str) -> int | None:
    return None if value is None else as_int(value, where)


def as_str(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise Bad(f"{where}: expected text, got {describe(value)}")
    return value


def as_opt_str(value: Any, where: str) -> str | None:
    return None if value is None else as_str(value, where)


def as_opt_link(value: Any, where: str) -> str | None:
    return None if value is None else as_nonempty_str(value, where)


def as_nonempty_str(value: Any, where: str) -> str:
    value = as_str(value, where)
    if not value:
        raise Bad(f"{where}: must not be empty")
    return value


def as_opt_hash(value: Any, where: str) -> str | None:
    """A media content hash: null, or non-empty text without spaces (written by ``content_hash`` as hex)."""
    if value is None:
        return None
    value = as_nonempty_str(value, where)
    if any(c.isspace() for c in value):
        raise Bad(f"{where}: expected a content hash, got {describe(value)}")
    return value


def as_bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise Bad(f"{where}: expected true or false, got {describe(value)}")
    return value


def as_number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Bad(f"{where}: expected a number, got {describe(value)}")
    try:
        number = float(value)   # an integer of 400 digits has no float: OverflowError
    except OverflowError:
        raise Bad(f"{where}: the number {describe(value)} is too large") from None
    if not math.isfinite(number):
        raise Bad(f"{where}: expected a number, got {describe(value)}")
    return number


def as_opt_real(value: Any, where: str) -> float | int | None:
    """A number kept as written (7 stays 7, 7.0 stays 7.0): a generation spec's hash sees the difference."""
    if value is None:
        return None
    as_number(value, where)
    return value


def as_fraction(value: Any, where: str) -> Fraction:
    if not isinstance(value, str) or not FRACTION_RE.fullmatch(value):
        raise Bad(f"{where}: expected an exact number like \"30000/1001\", got {describe(value)}")
    num, _, den = value.partition("/")
    if den and int(den) == 0:
        raise Bad(f"{where}: division by zero in {value!r}")
    return Fraction(int(num), int(den or 1))


def as_opt_fraction(value: Any, where: str) -> Fraction | None:
    return None if value is None else as_fraction(value, where)


def as_list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise Bad(f"{where}: expected a list, got {describe(value)}")
    return value


def as_dict(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Bad(f"{where}: expected an object, got {describe(value)}")
    return value


def choice(kind: type) -> Callable[[Any, str], Any]:
    def check(value: Any, where: str) -> Any:
        try:
            return kind(value)
        except ValueError:
            allowed = ", ".join(repr(m.value) for m in kind)
            raise Bad(f"{where}: expected one of {allowed}, got {describe(value)}") from None

    return check


def choice_of(*allowed: str) -> Callable[[Any, str], str]:
    """One of a few fixed strings."""
    def check(value: Any, where: str) -> str:
        if not isinstance(value, str) or value not in allowed:
            raise Bad(f"{where}: expected one of {', '.join(repr(a) for a in allowed)}, got {describe(value)}")
        return value
    return check


def as_str_tuple(value: Any, where: str) -> tuple[str, ...]:
    items = as_list(value, where)
    return tuple(as_str(item, f"{where}[{i}]") for i, item in enumerate(items))


def _clipped(text: str, limit: int = 300) -> str:
    """A model parser's reason, cut short: it may quote a hand-made value thousands of characters long."""
    return text if len(text) <= limit else text[:limit - 3] + "..."


def parsed(parse: Callable[[Any, str], Any]) -> Callable[[Any, str], Any]:
    """A reader check from a model parser that raises ValueError with a one-line reason. Whatever else a
    parser trips over in a hand-made value (an integer too large for a float, a key of the wrong type) is
    refused at that place too: the reader's only failure is ``Bad``."""
    def check(value: Any, where: str) -> Any:
        try:
            return parse(value, where)
        except ValueError as exc:
            raise Bad(_clipped(str(exc))) from None
        except (TypeError, KeyError, IndexError, AttributeError, OverflowError, RecursionError) as exc:
            raise Bad(f"{where}: unreadable value ({type(exc).__name__})") from None
    return check


