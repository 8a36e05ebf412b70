"""The desktop bundle's entry point (PyInstaller's script; ``promptcut`` in the bundle's folder).

It is ``promptcut`` (editor.cli's main) with two things a frozen app needs first:
- ``--run-module MODULE ARGS...`` / ``--run-script FILE ARGS...``: the bundle has no separate interpreter, so the
  children PromptCut starts (the generator worker, the foreign-format reader; see generation.child_python) are
  this same launcher running a module;
- ``gen-packages/`` beside the executable joins the import path (last, so the bundle's own numpy, pillow and the
  rest are the ones loaded), for a user who adds torch and diffusers there.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

from generation.child_python import GEN_PACKAGES, RUN_MODULE, RUN_SCRIPT


def _prepare() -> None:
    extra = Path(sys.executable).resolve().parent / GEN_PACKAGES
    if extra.is_dir() and str(extra) not in sys.path:
        sys.path.append(str(extra))


def _run_child(argv: list[str]) -> int:
    """``--run-module M ARGS`` / ``--run-script F ARGS``, as ``python -m M ARGS`` / ``python F ARGS`` would."""
    if len(argv) < 2:
        print(f"promptcut: {argv[0]} needs a module or a script", file=sys.stderr)
        return 2
    flag, target, rest = argv[0], argv[1], argv[2:]
    sys.argv = [target, *rest]
    try:
        if flag == RUN_MODULE:
            runpy.run_module(target, run_name="__main__", alter_sys=True)
        else:
            runpy.run_path(target, run_name="__main__")
    except SystemExit as done:
        code = done.code
        if code is None or isinstance(code, int):
            return code or 0
        print(code, file=sys.stderr)
        return 1
    return 0


def main() -> int:
    _prepare()
    argv = sys.argv[1:]
    if argv and argv[0] in (RUN_MODULE, RUN_SCRIPT):
        return _run_child(argv)
    from editor.cli import main as promptcut

    return promptcut(argv)


if __name__ == "__main__":
    sys.exit(main())
