"""The playback engine: sound is the master clock, pictures follow it.

One continuous stream goes to the audio output, playing or not (paused is speed 0: silence, the position
stands still). A feeder thread mixes the timeline's sound a little ahead of the device (``AHEAD``) and
records, for every block it hands over, which timeline sample the block starts at and at what speed: the
*map*. The clock is the number of samples the listener has heard, read through that map, so a loop's wrap, a
shuttle speed or a jump all land exactly where the sound does. At 1x the sound plays; at other speeds it is
muted (as Premiere does without pitch correction) and the position still follows the device.

A render thread composites the frames the map says will be heard next (decode-ahead, ``LEAD`` frames), into
a small cache. The display asks ``poll()`` for the frame due now: if it is not ready in time it is skipped,
never the sound, and counted as dropped. Changing what plays (play, stop, speed, jump, loop) discards what
the device has not yet taken, so the change is heard within one device period.

Nothing here imports Qt: the window calls ``poll()`` from a timer and draws what it returns.
"""

from __future__ import annotations

import bisect
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from editor.model import Timeline
from editor.playback.mixer import Mixer
from editor.playback.output import Output, SilentOutput, open_output
from editor.render.plan import output_samples

AHEAD = 0.3           # seconds of sound mixed ahead of the device (a flush makes changes heard at once)
BLOCK = 512           # samples per mixed block
LEAD = 6              # frames composited ahead of the clock
CACHE_FRAMES = 48     # composited frames kept (recently shown and ahead)
STALL_SECONDS = 1.0   # a device that takes nothing for this long while playing has gone away
START_SECONDS = 4.0   # ... or this long when it has not taken anything yet (some servers start streams slowly)
SCRUB_SECONDS = 0.08  # the snippet heard under the playhead while dragging it
FADE = 96             # samples of fade at the ends of a scrub snippet (no clicks)

Render = Callable[[Timeline, int], np.ndarray]   # (timeline, frame) -> picture


@dataclass
class Stats:
    shown: int = 0          # frames displayed while playing
    dropped: int = 0        # frames due while playing at 1x that were never displayed
    underruns: int = 0      # device periods that found too little sound prepared (heard as a gap)
    rendered: int = 0
    drift_samples: list[int] = field(default_factory=list)   # shown frame's time minus the clock, per poll

    def reset(self) -> None:
        self.shown = self.dropped = self.underruns = self.rendered = 0
        self.drift_samples.clear()


@dataclass(frozen=True)
class Transport:
    """What should play: from timeline sample ``start`` at ``speed`` (0: paused), wrapping inside ``loop``."""

    start: int
    speed: int = 0
    loop: tuple[int, int] | None = None    # samples [in, out)


class Player:
    """``Player(render).load(timeline)``, then ``play(frame)``, ``poll()`` from the display, ``stop()``."""

    def __init__(self, render: Render, output: Output | None = None, rate: int = 48000) -> None:
        self.render = render
        self.rate = rate
        self._output = output
        self._output_made = output is not None
        self.timeline: Timeline | None = None
        self.fps = Fraction(30)
        self.mixer: Mixer | None = None
        self.total = 0                        # samples in the timeline
        self.stats = Stats()
        self.muted = False                    # the whole preview (the viewer's speaker button)
        self.scrub_audio = True
        self._lock = threading.RLock()
        self._wake = threading.Condition(self._lock)
        self._transport = Transport(0)
        self._queue: deque[np.ndarray] = deque()     # mixed blocks not yet taken by the device
        self._queued = 0                              # samples in _queue
        self._fed = 0                                 # device samples mixed so far (taken + queued)
        self._taken = 0                               # device samples the device has taken
        self._map_dev: list[int] = [0]                # device sample where each map entry starts
        self._map: list[tuple[int, int]] = [(0, 0)]   # (timeline sample, speed) at that device sample
        self._tl_pos = 0                              # timeline sample the feeder mixes next
        self._peaks: deque[tuple[int, float, float]] = deque(maxlen=256)   # (device sample, left, right)
        self._scrub: deque[np.ndarray] = deque()
        self._scrub_at: int | None = None            # a scrub snippet asked for, not yet mixed
        self._frames: OrderedDict[int, np.ndarray] = OrderedDict()
        self._render_gen = 0
        self._last_shown: int | None = None
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._ended_at: int | None = None    # device sample where a run without loop reached an end
        self._fed_since_flush = 0           # a gap before the first block of a new run is not an underrun
        self._run_start = 0                 # device sample where the current run (play, stop, jump) begins
        self._retired: list[Mixer] = []     # mixers of timelines replaced by load(), to close
        self._device_seen = (0, 0.0)       # (samples the device had taken, when that count last moved)

    # --- set-up -------------------------------------------------------------------------------------------

    @property
    def output(self) -> Output:
        if not self._output_made:
            self._output = open_output(self.rate)
            self._output_made = True
        return self._output

    @property
    def note(self) -> str:
        return self.output.note

    def load(self, timeline: Timeline) -> None:
        """Play this timeline (a snapshot: the caller passes a copy it will not edit) from now on. Cheap: the
        mix is planned on the feeder thread."""
        with self._lock:
            old, self.mixer = self.mixer, None
            self.timeline = timeline
            self.fps = timeline.fps
            self.total = output_samples(timeline.duration, timeline.fps, self.rate)
            self._frames.clear()
            self._render_gen += 1
            self._flush()
            if old is not None:
                self._retired.append(old)     # closed by the feeder, which may be mixing with it right now

    def _current_mixer(self) -> Mixer | None:
        """The mixer of the loaded timeline, planned here (the feeder's thread) the first time it is needed."""
        with self._lock:
            timeline, mixer = self.timeline, self.mixer
        if mixer is not None or timeline is None:
            return mixer
        mixer = Mixer(timeline, self.rate)
        with self._lock:
            if self.timeline is timeline and self.mixer is None:
                self.mixer = mixer
                return mixer
        mixer.close()
        return None

    def warm(self) -> None:
        """Open the sound device now (silence) so the first play starts at once."""
        self._start_threads()

    def _start_threads(self) -> None:
        if self._threads:
            return
        self.output.start(self._pull)
        for target, name in ((self._feed_loop, "playback-mix"), (self._render_loop, "playback-frames")):
            t = threading.Thread(target=target, name=name, daemon=True)
            t.start()
            self._threads.append(t)

    def close(self) -> None:
        self._stop.set()
        with self._lock:
            self._wake.notify_all()
        for t in self._threads:
            t.join(2)
        self._threads.clear()
        if self._output_made and self._output is not None:
            self._output.close()
        for mixer in [*self._retired, *([self.mixer] if self.mixer is not None else [])]:
            mixer.close()

    # --- transport ----------------------------------------------------------------------------------------

    def frame_sample(self, frame: int) -> int:
        return output_samples(frame, self.fps, self.rate)

    def sample_frame(self, sample: int) -> int:
        return int(Fraction(sample) * self.fps / self.rate)

    @property
    def playing(self) -> bool:
        return self._transport.speed != 0 and not self.ended

    @property
    def speed(self) -> int:
        return self._transport.speed

    @property
    def ended(self) -> bool:
        """Played forward to the end (or backward to the start), with no loop, and the listener heard it."""
        end = self._ended_at
        return end is not None and (not self._threads or self.output.heard() >= end)

    def play(self, frame: int, speed: int = 1, loop: tuple[int, int] | None = None) -> None:
        """Play from timeline ``frame`` at ``speed`` (negative: backwards), inside ``loop`` (frames) if given."""
        self._start_threads()
        loop_s = None
        if loop is not None and loop[1] > loop[0]:
            loop_s = (self.frame_sample(loop[0]), self.frame_sample(loop[1]))
            if not loop[0] <= frame < loop[1]:
                frame = loop[0] if speed > 0 else loop[1] - 1
        with self._lock:
            self._transport = Transport(self.frame_sample(frame), speed, loop_s)
            self._ended_at = None
            self._last_shown = None
            self._flush()

    def stop(self) -> int:
        """Pause where the listener is; returns that frame."""
        frame = self.position()
        with self._lock:
            self._transport = Transport(self.frame_sample(frame), 0)
            self._ended_at = None
            self._flush()
        return frame

    def position(self) -> int:
        """The timeline frame being heard now (while paused: where it stopped)."""
        return self.sample_frame(self._clock())

    def _clock(self) -> int:
        if not self._threads:
            return self._transport.start
        return self._timeline_sample(self.heard())

    @property
    def run_start(self) -> int:
        """The device sample where what plays now (the last play, stop or jump) begins."""
        return self._run_start

    def heard(self) -> int:
        """The device sample being heard, but never before the current run: until the device has played out
        what it held when the run began, the position is where the run starts."""
        return max(self.output.heard(), self._run_start)

    def _timeline_sample(self, device: int) -> int:
        with self._lock:
            return self._timeline_sample_unlocked(device)

    def _flush(self) -> None:
        """Discard sound not yet taken by the device: what plays next follows ``_transport`` from there."""
        self._queue.clear()
        self._queued = 0
        self._fed = self._taken
        self._run_start = self._taken      # the device still plays what came before for its latency
        self._fed_since_flush = 0
        self._tl_pos = self._transport.start
        self._cut_map(self._fed)
        # Until the feeder maps its first block, the new run stands at its start (not at the old position).
        self._map_dev.append(self._fed)
        self._map.append((self._transport.start, 0))
        self._render_gen += 1
        self._wake.notify_all()

    def _cut_map(self, device: int) -> None:
        i = bisect.bisect_left(self._map_dev, device)
        del self._map_dev[i:], self._map[i:]
        if not self._map_dev:
            self._map_dev.append(0)
            self._map.append((self._tl_pos, 0))

    # --- sound --------------------------------------------------------------------------------------------

    def _pull(self, n: int) -> np.ndarray:
        """The device's callback: ``n`` prepared samples (silence where none are ready)."""
        with self._lock:
            parts, got = [], 0
            while got < n and self._queue:
                block = self._queue[0]
                take = min(n - got, len(block))
                parts.append(block[:take])
                if take == len(block):
                    self._queue.popleft()
                else:
                    self._queue[0] = block[take:]
                got += take
            self._queued -= got
            if got < n and self._transport.speed and self._ended_at is None and self._fed_since_flush:
                self.stats.underruns += 1
            start = self._taken
            self._taken += n
            if got < n:
                # Nothing was mixed for these samples: their map entry says "stand still" from here.
                self._fed = self._taken
                here = self._timeline_sample_unlocked(start + got)
                self._map_dev.append(start + got)
                self._map.append((here, 0))
            scrub = self._take_scrub(n)
            self._wake.notify_all()
        out = np.concatenate(parts) if parts else np.zeros((0, 2), np.float32)
        if got < n:
            out = np.concatenate([out, np.zeros((n - got, 2), np.float32)])
        if scrub is not None:
            out = out + scrub
        if len(out):
            peak = np.abs(out).max(axis=0)
            self._peaks.append((start, float(peak[0]), float(peak[1])))
        return out

    def _timeline_sample_unlocked(self, device: int) -> int:
        i = max(0, bisect.bisect_right(self._map_dev, device) - 1)
        tl, speed = self._map[i]
        return tl + (device - self._map_dev[i]) * speed

    def _take_scrub(self, n: int) -> np.ndarray | None:
        if not self._scrub:
            return None
        out = np.zeros((n, 2), np.float32)
        got = 0
        while got < n and self._scrub:
            block = self._scrub[0]
            take = min(n - got, len(block))
            out[got:got + take] = block[:take]
            if take == len(block):
                self._scrub.popleft()
            else:
                self._scrub[0] = block[take:]
            got += take
        return out

    def _feed_loop(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                retired, self._retired = self._retired, []
            for old in retired:
                old.close()
            self._current_mixer()       # plan the mix while paused, so a play starts mixing at once
            with self._lock:
                while not self._stop.is_set() and self._queued >= AHEAD * self.rate and self._scrub_at is None:
                    self._wake.wait(0.05)
                if self._stop.is_set():
                    return
                t = self._transport
                pos, fed, scrub = self._tl_pos, self._fed, self._scrub_at
                self._scrub_at = None
                if self._ended_at is not None:
                    t = Transport(pos, 0)
            mixer = self._current_mixer()
            if scrub is not None and mixer is not None:
                self._mix_scrub(mixer, scrub)
            n = BLOCK
            if t.speed == 1 and not self.muted and mixer is not None:
                if t.loop is not None:
                    n = min(n, t.loop[1] - pos) if pos < t.loop[1] else n
                block = mixer.mix(pos, max(1, n)) if pos < self.total else np.zeros((n, 2), np.float32)
            else:
                block = np.zeros((n, 2), np.float32)
            with self._lock:
                if (self._transport is not t and self._ended_at is None) or self._fed != fed:
                    continue    # flushed while mixing: this block belongs to what played before
                self._queue.append(block)
                self._queued += len(block)
                self._map_dev.append(fed)
                self._map.append((pos, t.speed))
                self._fed += len(block)
                self._fed_since_flush += len(block)
                nxt = pos + len(block) * t.speed
                if t.loop is not None and t.speed != 0:
                    a, b = t.loop
                    if nxt >= b:
                        nxt = a + (nxt - b)
                    elif nxt < a:
                        nxt = b - (a - nxt)
                elif (t.speed > 0 and nxt >= self.total) or (t.speed < 0 and nxt <= 0):
                    # The end: the device plays on in silence, the position stands at the end.
                    nxt = self.total if t.speed > 0 else 0
                    self._ended_at = fed + abs(nxt - pos) // abs(t.speed)
                    self._map_dev.append(self._ended_at)
                    self._map.append((nxt, 0))
                self._tl_pos = nxt
                self._trim_map()

    def _trim_map(self) -> None:
        heard = self.output.heard()
        i = bisect.bisect_right(self._map_dev, heard) - 2
        if i > 64:
            del self._map_dev[:i], self._map[:i]

    def levels(self, window: float = 0.05) -> tuple[float, float]:
        """Peak level per channel (0..1+) of what was heard in the last ``window`` seconds."""
        if not self._threads:
            return 0.0, 0.0
        heard = self.output.heard()
        lo = heard - int(window * self.rate) - BLOCK
        left = right = 0.0
        for start, pl, pr in list(self._peaks):
            if lo <= start <= heard:
                left, right = max(left, pl), max(right, pr)
        return left, right

    def scrub(self, frame: int) -> None:
        """A short snippet of the sound under ``frame`` (dragging the playhead), if scrubbing is on. Mixed on
        the feeder's thread; only the newest position is heard."""
        if not self.scrub_audio or self.muted or self.playing or self.timeline is None:
            return
        self._start_threads()
        with self._lock:
            self._scrub_at = frame
            self._wake.notify_all()

    def _mix_scrub(self, mixer: Mixer, frame: int) -> None:
        n = int(SCRUB_SECONDS * self.rate)
        block = mixer.mix(self.frame_sample(frame), n)
        ramp = np.linspace(0, 1, FADE, dtype=np.float32)[:, None]
        block[:FADE] *= ramp
        block[-FADE:] *= ramp[::-1]
        with self._lock:
            self._scrub.clear()     # only the newest position is worth hearing
            self._scrub.append(block)

    # --- pictures -----------------------------------------------------------------------------------------

    def _render_loop(self) -> None:
        def heard_now() -> int:
            return self.output.heard()

        spf = Fraction(self.rate) / self.fps
        cursor: Fraction | None = None
        gen = -1
        cost = 0.0        # seconds a frame takes to composite (moving average)
        while not self._stop.is_set():
            with self._lock:
                if gen != self._render_gen:
                    gen, cursor = self._render_gen, None
                timeline, playing, spf = self.timeline, self.playing, Fraction(self.rate) / self.fps
            if timeline is None or not (playing or self._ended_at is not None and self._ended_at > heard_now()):
                self._stop.wait(0.005)
                continue
            heard = self.heard()
            if cursor is None or cursor < heard:
                # Fell behind: frames before now are late. Aim at the frame that will be due when this one
                # is done, so a slow picture still shows near its time.
                cursor = Fraction(heard) + int(cost * 1.2 * self.rate) * max(1, abs(self.speed) or 1)
            if cursor > heard + LEAD * spf or cursor >= self._fed:
                self._stop.wait(0.002)
                continue
            frame = self.sample_frame(self._timeline_sample(int(cursor)))
            frame = min(frame, max(0, timeline.duration - 1))
            if frame not in self._frames:
                started = time.perf_counter()
                try:
                    image = self.render(timeline, frame)
                except Exception:  # noqa: BLE001 - a frame that fails shows the previous one
                    image = None
                cost = 0.8 * cost + 0.2 * (time.perf_counter() - started)
                with self._lock:
                    if gen != self._render_gen:
                        continue
                    if image is not None:
                        self._frames[frame] = image
                        self.stats.rendered += 1
                        while len(self._frames) > CACHE_FRAMES:
                            self._frames.popitem(last=False)
            cursor += spf

    def cached(self, frame: int) -> np.ndarray | None:
        with self._lock:
            image = self._frames.get(frame)
            if image is not None:
                self._frames.move_to_end(frame)
            return image

    def forget_frames(self) -> None:
        with self._lock:
            self._frames.clear()
            self._render_gen += 1

    def poll(self) -> tuple[int, int, np.ndarray | None]:
        """(frame due now, frame to show, its picture) — the picture only when there is a new one to show,
        else None. The frame shown is the one due, or the newest ready before it when that one is late.
        Call it often (every few ms)."""
        self._check_device()
        sample = self._clock()
        last = max(0, (self.timeline.duration if self.timeline else 1) - 1)
        due = min(self.sample_frame(sample), last)
        shown, image = due, None
        if due != self._last_shown:
            shown, image = self._newest_ready(due)
            if image is not None and shown != self._last_shown:
                if self.playing and abs(self.speed) == 1 and self._last_shown is not None:
                    step = (shown - self._last_shown) * self.speed
                    if 1 < step <= 2 * self.fps:       # frames skipped on the way (not a loop's wrap)
                        self.stats.dropped += step - 1
                self._last_shown = shown
                if self.playing:
                    self.stats.shown += 1
                    self.stats.drift_samples.append(self.frame_sample(shown) - sample)
            else:
                image = None
        return due, shown, image

    def _check_device(self) -> None:
        """A sound device that stops taking samples (its server died, it was unplugged) would stop the clock
        and freeze the picture: play on with the silent output from where it stopped, with a note."""
        out = self._output
        if not self._threads or out is None or isinstance(out, SilentOutput) or not self.playing:
            return
        now, taken = time.monotonic(), out.written()
        seen, since = self._device_seen
        if taken != seen or since == 0.0:
            self._device_seen = (taken, now)
            return
        if now - since < (STALL_SECONDS if taken else START_SECONDS):
            return
        silent = SilentOutput(self.rate, "the sound device stopped answering: playing on without sound "
                                         "(`promptcut doctor` checks the audio output)", start=out.heard())
        self._output = silent
        threading.Thread(target=out.close, name="close-audio-device", daemon=True).start()
        silent.start(self._pull)

    def _newest_ready(self, due: int) -> tuple[int, np.ndarray | None]:
        """The frame due if it is ready, else the newest ready frame between the last shown and the one due
        (a late picture is shown late rather than not at all); (due, None) when there is none."""
        with self._lock:
            image = self._frames.get(due)
            if image is not None:
                return due, image
            last, forward = self._last_shown, self.speed >= 0
            if last is not None and (due < last) == forward:
                last = None                    # the loop came round: anything up to the frame due will do
            if forward:
                ready = [f for f in self._frames if f <= due and (last is None or f > last)]
                best = max(ready, default=None)
            else:
                ready = [f for f in self._frames if f >= due and (last is None or f < last)]
                best = min(ready, default=None)
            return (best, self._frames[best]) if best is not None else (due, None)

