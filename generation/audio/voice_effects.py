"""Changing a voice after it is spoken, in numpy alone (no scipy here): stretch time keeping the pitch, and move
the pitch keeping the length. Used where a voice engine cannot do it natively (Kokoro has no pitch control;
espeak-ng's own rate and pitch stop at 80..450 words a minute and about an octave either way).

The time stretch is WSOLA (waveform-similarity overlap-add): 40 ms Hann-windowed grains are laid down at the
output rate, each taken from near where the input clock says, nudged within +-10 ms to the spot that best
continues the previous grain, so voiced speech keeps its periods instead of warbling as plain overlap-add does.
A pitch shift is that stretch followed by resampling back to the original length.
"""

from __future__ import annotations

import math

import numpy as np

_GRAIN_S = 0.040
_TOLERANCE_S = 0.010


def _as_2d(samples: np.ndarray) -> tuple[np.ndarray, bool]:
    a = np.asarray(samples, dtype=np.float32)
    if a.ndim == 1:
        return a[:, None], True
    if a.ndim != 2:
        raise ValueError(f"sound of shape {a.shape} is not (n,) or (n, channels)")
    return a, False


def time_stretch(samples: np.ndarray, rate: float, sample_rate: int) -> np.ndarray:
    """The same sound ``rate`` times as fast (2.0: half as long), its pitch unchanged. Shape as given."""
    if not math.isfinite(rate) or rate <= 0:
        raise ValueError(f"rate must be a positive number, got {rate!r}")
    a, flat = _as_2d(samples)
    if abs(rate - 1.0) < 1e-6 or len(a) == 0:
        return np.array(samples, dtype=np.float32, copy=True)
    grain = max(16, int(round(_GRAIN_S * sample_rate)))
    hop = grain // 2
    tol = max(1, int(round(_TOLERANCE_S * sample_rate)))
    n_out = max(1, int(round(len(a) / rate)))
    window = np.hanning(grain).astype(np.float32)
    # Zero padding lets grains and the search reach past both ends without index checks.
    pad = grain + tol
    x = np.concatenate([np.zeros((pad, a.shape[1]), np.float32), a, np.zeros((pad + grain, a.shape[1]), np.float32)])
    mono = x.mean(axis=1)
    out = np.zeros((n_out + grain, a.shape[1]), np.float32)
    weight = np.zeros(n_out + grain, np.float32)
    previous = None  # where in x the last grain was taken from
    for out_pos in range(0, n_out, hop):
        ideal = pad + int(round(out_pos * rate))
        if previous is None:
            start = ideal
        else:
            # The grain that would naturally follow the previous one; find the input spot most like it.
            natural = mono[previous + hop: previous + hop + grain]
            lo = max(0, ideal - tol)
            region = mono[lo: ideal + tol + grain]
            scores = np.correlate(region, natural, mode="valid")
            start = lo + int(np.argmax(scores)) if scores.size and np.any(natural) else ideal
        out[out_pos: out_pos + grain] += x[start: start + grain] * window[:, None]
        weight[out_pos: out_pos + grain] += window
        previous = start
    weight = np.maximum(weight, 1e-3)  # only the very first/last samples have near-zero window weight
    stretched = (out / weight[:, None])[:n_out]
    return stretched[:, 0].copy() if flat else stretched


def trim_silence(samples: np.ndarray, sample_rate: int, *, edge_s: float = 0.05,
                 floor: float = 0.003) -> np.ndarray:
    """``samples`` without the silence before the first and after the last sound, but ``edge_s`` of it (so a
    take starts on the word, as a speech clip placed at a shot's start should)."""
    a = np.asarray(samples)
    level = np.abs(a) if a.ndim == 1 else np.abs(a).max(axis=1)
    loud = np.flatnonzero(level > floor)
    if loud.size == 0:
        return a[:0]
    keep = int(edge_s * sample_rate)
    return a[max(0, loud[0] - keep): loud[-1] + 1 + keep]


def _lowpass(a: np.ndarray, cutoff: float) -> np.ndarray:
    """A windowed-sinc low-pass (``cutoff`` as a fraction of Nyquist), so resampling down does not alias."""
    taps = 63
    n = np.arange(taps) - (taps - 1) / 2
    kernel = (cutoff * np.sinc(cutoff * n) * np.hamming(taps)).astype(np.float32)
    kernel /= kernel.sum()
    return np.stack([np.convolve(a[:, c], kernel, mode="same") for c in range(a.shape[1])], axis=1)


def resample_to_length(samples: np.ndarray, length: int) -> np.ndarray:
    """Read ``samples`` faster or slower so they last ``length`` samples (which moves the pitch)."""
    a, flat = _as_2d(samples)
    if length <= 0 or len(a) == 0:
        return np.zeros((0,) if flat else (0, a.shape[1]), np.float32)
    if length < len(a):
        a = _lowpass(a, length / len(a))
    positions = np.linspace(0.0, len(a) - 1, num=length)
    out = np.stack([np.interp(positions, np.arange(len(a)), a[:, c]) for c in range(a.shape[1])], axis=1)
    out = out.astype(np.float32)
    return out[:, 0].copy() if flat else out


def pitch_shift(samples: np.ndarray, semitones: float, sample_rate: int) -> np.ndarray:
    """The same sound ``semitones`` higher (negative: lower), as long as before."""
    if not math.isfinite(semitones):
        raise ValueError(f"semitones must be a number, got {semitones!r}")
    a = np.asarray(samples, dtype=np.float32)
    if abs(semitones) < 1e-3 or len(a) == 0:
        return np.array(a, copy=True)
    factor = 2.0 ** (semitones / 12.0)
    longer = time_stretch(a, 1.0 / factor, sample_rate)  # factor times as long, same pitch...
    return resample_to_length(longer, len(a))  # ...then read factor times faster: back to length, pitch up
