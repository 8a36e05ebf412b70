"""Which proxies the preview uses, and making them in the background.

``Proxies.enabled`` is the viewer's toggle: with it on, a media file whose proxy is ready is previewed from
the proxy (``proxy_for``). With ``auto`` on, media that would not play in real time (``proxy_reason``) get a
proxy made as soon as they are on the timeline; any file can be asked for by hand. One file at a time, on a
worker thread, with progress; listeners hear every change of state (from that thread).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from editor.media.info import MediaError, MediaInfo
from editor.media.probe import probe
from editor.media.proxies import existing_proxy, make_proxy, proxy_reason
from editor.model import Timeline


@dataclass(frozen=True)
class ProxyState:
    state: str                 # "queued", "making", "ready", "failed"
    progress: float = 0.0
    reason: str = ""           # why it was made ("4K", "long GOP (60 frames)") or why it failed


class Proxies:
    def __init__(self) -> None:
        self.enabled = False
        self.auto = True
        self.states: dict[str, ProxyState] = {}
        self.listeners: list[Callable[[str, ProxyState], None]] = []
        self._queue: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None
        self._infos: dict[str, MediaInfo] = {}
        self._checked: set[str] = set()        # paths whose need for a proxy was judged (once each)

    def proxy_for(self, info: MediaInfo) -> MediaInfo | None:
        """The proxy's facts to preview ``info`` from, when proxies are on and this one is ready."""
        if not self.enabled:
            return None
        st = self.states.get(info.path)
        if st is None or st.state != "ready":
            found = existing_proxy(info.path)
            if found is None:
                return None
            self._set(info.path, ProxyState("ready"))
        hit = self._infos.get(info.path)
        if hit is None:
            found = existing_proxy(info.path)
            if found is None:
                return None
            try:
                hit = probe(found)
            except MediaError:
                return None
            self._infos[info.path] = hit
        return hit

    def request(self, info: MediaInfo, reason: str = "asked for") -> None:
        """Make ``info``'s proxy in the background (nothing if it exists or is on its way)."""
        with self._lock:
            st = self.states.get(info.path)
            if st is not None and st.state in ("queued", "making", "ready"):
                return
        if existing_proxy(info.path) is not None:
            self._set(info.path, ProxyState("ready", 1.0, reason))
            return
        with self._lock:
            self._queue.append((info.path, reason))
            self._infos.pop(info.path, None)
            self._wake.notify_all()
        self._set(info.path, ProxyState("queued", 0.0, reason))
        self._start()

    def consider(self, timeline: Timeline) -> list[str]:
        """With ``auto`` on: ask for proxies of the timeline's heavy media. Returns the paths asked for."""
        return self.consider_paths(self.unjudged(timeline))

    def unjudged(self, timeline: Timeline) -> list[str]:
        """The online media on the timeline not yet judged for a proxy (empty with ``auto`` off), marked as
        judged: cheap, for the GUI thread, which hands them to ``consider_paths`` on another."""
        if not self.auto:
            return []
        paths = []
        for mid in {c.media_id() for _, c in timeline.clips()}:
            media = timeline.media.get(mid or "")
            if media is None or not media.online or media.path in self.states or media.path in self._checked:
                continue
            self._checked.add(media.path)
            paths.append(media.path)
        return paths

    def consider_paths(self, paths: list[str]) -> list[str]:
        """Probe ``paths`` (and read their keyframes) and ask for proxies of those that need them."""
        asked = []
        for path in paths:
            try:
                info = probe(path)
            except MediaError:
                continue
            reason = proxy_reason(info)
            if reason:
                self.request(info, reason)
                asked.append(path)
        return asked

    def close(self) -> None:
        self._cancel.set()
        with self._lock:
            self._queue.clear()
            self._wake.notify_all()
        if self._thread is not None:
            self._thread.join(5)

    def _set(self, path: str, state: ProxyState) -> None:
        self.states[path] = state
        for listener in list(self.listeners):
            listener(path, state)

    def _start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="proxies", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._cancel.is_set():
            with self._lock:
                while not self._queue and not self._cancel.is_set():
                    if not self._wake.wait(5):
                        return        # idle: the thread ends, the next request starts another
                if self._cancel.is_set():
                    return
                path, reason = self._queue.pop(0)
            try:
                info = probe(path)
                self._set(path, ProxyState("making", 0.0, reason))
                make_proxy(info, progress=lambda f, p=path, r=reason: self._set(p, ProxyState("making", f, r)),
                           cancel=self._cancel)
                self._set(path, ProxyState("ready", 1.0, reason))
            except MediaError as exc:
                self._set(path, ProxyState("failed", 0.0, str(exc)))
