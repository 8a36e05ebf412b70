"""How PromptCut starts a child Python (the generator worker, the foreign-format reader), and what it tells a user
whose install lacks the generator's packages.

From a checkout or a wheel the child is this interpreter itself (``sys.executable``). In the desktop bundle
(PyInstaller, ``sys.frozen``) there is no interpreter binary: ``sys.executable`` is PromptCut's own launcher,
so the child is that launcher with ``--run-module`` (or ``--run-script``), which the bundle's entry script
hands to :mod:`runpy`. A bottom module (standard library only) so that both the editor and the generator use it.
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

RUN_MODULE = "--run-module"
RUN_SCRIPT = "--run-script"
# Beside the bundle's executable: where a user puts torch, diffusers and the rest of promptcut[gen].
GEN_PACKAGES = "gen-packages"


def frozen() -> bool:
    """True inside the desktop bundle."""
    return bool(getattr(sys, "frozen", False))


def child_command(module: str, args: Sequence[str] = (), *, script: str | os.PathLike[str] | None = None,
                  isolated: bool = False, python: str | None = None) -> list[str]:
    """The command line running ``module`` (``python -m module``) or, when given, the file ``script`` of that
    same module (``python script``: importable without the package on the path) in a fresh interpreter.
    ``isolated`` adds ``-I`` (no user site, no PYTHON* variables). ``python`` names another interpreter; in
    the bundle the launcher itself runs the module, whatever is asked for."""
    if frozen() and (python is None or python == sys.executable):
        return [sys.executable, RUN_MODULE, module, *args]
    head = [python or sys.executable] + (["-I"] if isolated else [])
    target = [str(script)] if script is not None else ["-m", module]
    return [*head, *target, *args]


def bundle_folder() -> Path | None:
    """The folder holding the bundle's executable, or None outside the bundle."""
    return Path(sys.executable).resolve().parent if frozen() else None


def gen_packages_folder() -> Path | None:
    """Where the bundle looks for the generator's packages (it may not exist), or None outside the bundle."""
    folder = bundle_folder()
    return None if folder is None else folder / GEN_PACKAGES


def install_command(extra: str) -> str:
    """The one command that adds an optional part of PromptCut (``gen``: torch, diffusers, ...; ``cluster``: Ray)
    to this install: pip for an ordinary install, the gen-packages folder for the desktop bundle."""
    target = gen_packages_folder()
    if target is None:
        return f"pip install 'promptcut[{extra}]'"
    # The packages must match the bundle's Python, not whichever python3 the system has.
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    return f"python{version} -m pip install --target {shlex.quote(str(target))} 'promptcut[{extra}]'"


def gen_install_command() -> str:
    """The one command that adds the generator's packages (torch, diffusers, ...) to this install."""
    return install_command("gen")


def gen_missing_message(what: str = "generating shots") -> str:
    """One line for a user whose install has no torch: what needs it and how to add it."""
    return f"{what} needs the generator's packages (torch, diffusers, ...), not installed here: {gen_install_command()}"
