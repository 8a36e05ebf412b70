"""Opening a generator client on a set of folders, and handing a finished take to a path the user named."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from editor.generate.places import GenerationPlaces
from generation.cluster.config import ClusterConfig
from generation.leftovers import replacing, sweep_stale


@contextlib.contextmanager
def open_client(places: GenerationPlaces, *, models_dir: str | os.PathLike[str] | None = None,
                env: Mapping[str, str] | None = None, cluster: ClusterConfig | None = None) -> Iterator[Any]:
    """A generator client on ``places``, closed after: ``generation.client.GeneratorClient`` (its worker starts on
    the first job) or, with ``cluster``, a ``ClusterClient`` running the jobs on Ray actors. Raises
    ``ClusterUnavailable`` (one line) when Ray is missing or the cluster cannot be reached."""
    from generation.cluster.client import open_generator

    places.make()
    kwargs: dict[str, Any] = {}
    if models_dir is not None:
        kwargs["models_dir"] = models_dir
    if env is not None:
        kwargs["env"] = dict(env)
    client = open_generator(places.store_path, places.output_dir, cluster=cluster, **kwargs)
    try:
        yield client
    finally:
        _close(client, places)


def _close(client: Any, places: GenerationPlaces) -> None:
    """Close the client; a job whose cancel was asked for but had not landed yet (the worker was still starting,
    say) ends cancelled, not back in the queue where the next client would run it."""
    from generation.jobs import JobStore

    try:
        asked = [job.id for job in client.jobs() if job.cancel_requested and not job.is_final]
    except Exception:  # noqa: BLE001 - closing must not fail over bookkeeping
        asked = []
    client.close()
    if not asked:
        return
    store = JobStore(places.store_path)
    try:
        for job_id in asked:
            with contextlib.suppress(Exception):
                store.cancel(job_id)
    finally:
        store.close()


def publish(source: Path, target: Path) -> Path:
    """Put a copy of ``source`` at ``target`` atomically: copied into a hidden temporary beside ``target``, then
    renamed over it, so ``target`` is either the old file or the whole new one. A copy, not a hard link: a tool
    that later rewrites ``target`` in place (``ffmpeg -y`` truncates) must not damage the cached take."""
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    sweep_stale(folder)
    with replacing(folder / target.name, ".partial") as temp:
        shutil.copyfile(source, temp)
        os.chmod(temp, 0o644)
    return target
