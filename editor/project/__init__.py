"""Project files: a versioned JSON format, chained migrations, atomic saves with a backup, offline media.

    save_project(timeline, "film.promptcut")          # atomic; the previous file is kept as film.promptcut.bak
    loaded = load_project("film.promptcut")           # loaded.timeline, loaded.offline, loaded.warnings

The format is described in ``editor.project.format`` (and docs/project-format.md). This package reads and
writes files and checks that media files exist; it never probes them (that is ``editor.media``'s job, one
layer up).
"""

from editor.project.errors import ProjectError
from editor.project.format import (
    FORMAT_NAME,
    FORMAT_VERSION,
    PROJECT_SUFFIX,
    LoadedProject,
    from_dict,
    resolve_path,
    store_path,
    to_dict,
)
from editor.project.migrations import MIGRATIONS, MigrationError, migrate, migration
from editor.project.store import backup_path, encode, load_project, save_project

__all__ = [
    "FORMAT_NAME", "FORMAT_VERSION", "MIGRATIONS", "PROJECT_SUFFIX", "LoadedProject", "MigrationError",
    "ProjectError", "backup_path", "encode", "from_dict", "load_project", "migrate", "migration", "resolve_path",
    "save_project", "store_path", "to_dict",
]
