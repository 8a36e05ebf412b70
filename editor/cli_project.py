"""``promptcut collect``, ``promptcut archive`` and ``promptcut unarchive``: a project that carries everything
it needs (``editor.archive``), from the command line.

    promptcut collect cut.promptcut               copy every file it uses into cut.media/collected/, relink, save
    promptcut archive cut.promptcut [-o x.zip]    one zip: project, media, takes, fonts (default cut.zip beside)
    promptcut unarchive cut.zip [-o FOLDER]       unpack safely (default: a new folder beside) and say the project

Each failure is one line (``editor.cli``'s ``main`` prints it); notes about what could not be carried go to
stderr as warnings.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from editor.cli_support import CliError, _open, _refuse_existing


def add_parser(sub) -> None:
    """Register ``collect``, ``archive`` and ``unarchive`` on the command's subparsers."""
    p = sub.add_parser("collect", help="copy every file a project uses into its NAME.media folder and relink")
    p.add_argument("project", help="a .promptcut project (saved in place, the previous save kept as .bak)")
    p.set_defaults(run=cmd_collect)

    p = sub.add_parser("archive", help="write one zip with a project, its media, generated takes and fonts")
    p.add_argument("project", help="a .promptcut project")
    p.add_argument("-o", "--output", help="the zip to write (default: NAME.zip beside the project)")
    p.add_argument("-y", "--overwrite", action="store_true", help="replace OUTPUT if it exists")
    p.set_defaults(run=cmd_archive)

    p = sub.add_parser("unarchive", help="unpack a project archive safely and print the project's path")
    p.add_argument("archive", help="a zip written by `promptcut archive` or File > Archive Project")
    p.add_argument("-o", "--output", help="the folder to unpack into (new or empty; default: a new folder "
                   "beside the archive, named after it)")
    p.set_defaults(run=cmd_unarchive)


def _warn(lines: list[str]) -> None:
    for line in lines:
        print(f"warning: {line}", file=sys.stderr)


def _project(path: str) -> str:
    from editor.project import PROJECT_SUFFIX

    if Path(path).suffix.lower() != PROJECT_SUFFIX:
        raise CliError(f"{path}: collect and archive work on a {PROJECT_SUFFIX} project (convert it first: "
                       f"promptcut convert {path} NAME{PROJECT_SUFFIX})")
    return path


def cmd_collect(args: argparse.Namespace) -> int:
    from editor.archive.collect import collect_project
    from editor.documents import save_document

    path = _project(args.project)
    doc = _open(path)
    _warn(doc.warnings)
    result = collect_project(doc.timeline, path)
    _warn(result.notes)
    if result.command is not None:
        save_document(doc.timeline, path, doc.metadata)
    print(f"collected {len(result.copied)} file{'s' * (len(result.copied) != 1)} into "
          f"{Path(path).stem}.media/collected" + ("" if result.command is not None else " (nothing to relink)"))
    return 0


def cmd_archive(args: argparse.Namespace) -> int:
    from editor.archive.zip_archive import ARCHIVE_SUFFIX, ArchiveError, write_archive

    path = _project(args.project)
    output = args.output or os.fspath(Path(path).with_suffix(ARCHIVE_SUFFIX))
    _refuse_existing(output, args.overwrite)
    doc = _open(path)
    _warn(doc.warnings)
    try:
        notes = write_archive(doc.timeline, path, output, doc.metadata)
    except ArchiveError as exc:
        raise CliError(str(exc)) from None
    _warn(notes)
    print(f"wrote {output}")
    return 0


def cmd_unarchive(args: argparse.Namespace) -> int:
    from editor.archive.zip_archive import ArchiveError, open_archive

    try:
        project = open_archive(args.archive, args.output)
    except ArchiveError as exc:
        raise CliError(str(exc)) from None
    print(project)
    return 0
