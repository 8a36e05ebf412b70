"""Where an installed PromptCut finds its data files (the theme ``style.qss``, the ``icons`` and the ``fonts``).

One lookup for all three, so the stylesheet, the icons and the fonts can never disagree about where an install
keeps them. In order:

1. the checkout's ``assets/`` (development, editable installs);
2. a frozen bundle's ``sys._MEIPASS/share/promptcut`` (PyInstaller unpacks the data files there);
3. ``sys.prefix/share/promptcut``: a wheel's data files in a venv, pipx or a system install;
4. ``site.USER_BASE/share/promptcut``: ``pip install --user`` puts them in the user scheme, not under sys.prefix;
5. ``sysconfig.get_path("data")/share/promptcut``: the active install scheme's data folder (a distribution's
   scheme may differ from the prefix, e.g. ``/usr/local`` under a ``/usr`` Python).

Standard library only: the editor imports this before Qt and before any of its rooms.
"""

from __future__ import annotations

import site
import sys
import sysconfig
from pathlib import Path

KINDS = ("style.qss", "icons", "fonts")
SHARE = Path("share") / "promptcut"
CHECKOUT_ASSETS = Path(__file__).resolve().parents[1] / "assets"


def _user_base() -> str | None:
    base = getattr(site, "USER_BASE", None)   # None when the user site is off or unknown (some bundles)
    if base:
        return base
    try:
        return site.getuserbase()
    except (AttributeError, OSError, KeyError):
        return None


def _scheme_data() -> str | None:
    try:
        return sysconfig.get_path("data")
    except KeyError:   # an unknown scheme in an unusual interpreter
        return None


def data_bases(*, checkout: Path | None = CHECKOUT_ASSETS, frozen: str | None | bool = True,
               prefix: str | None = None, user_base: str | None | bool = True,
               scheme_data: str | None | bool = True) -> list[Path]:
    """The folders that may hold PromptCut's data files, in the order they are tried, without repeats.

    Each base can be handed in (tests lay out an install in a temporary folder); ``True`` means "ask this
    interpreter", None leaves that place out."""
    if frozen is True:
        frozen = getattr(sys, "_MEIPASS", None)
    if user_base is True:
        user_base = _user_base()
    if scheme_data is True:
        scheme_data = _scheme_data()
    places: list[Path] = [checkout] if checkout is not None else []
    for base in (frozen, prefix if prefix is not None else sys.prefix, user_base, scheme_data):
        if isinstance(base, str) and base:
            places.append(Path(base) / SHARE)
    unique: list[Path] = []
    for place in places:
        if place not in unique:
            unique.append(place)
    return unique


def data_places(kind: str, **bases: object) -> list[Path]:
    """The candidate paths of ``kind`` ("style.qss", "icons" or "fonts"), in the order to try them; the caller
    takes the first that holds what it needs. ``bases``: as for :func:`data_bases`."""
    if kind not in KINDS:
        raise ValueError(f"no data file kind {kind!r} (there are: {', '.join(KINDS)})")
    return [base / kind for base in data_bases(**bases)]  # type: ignore[arg-type]
