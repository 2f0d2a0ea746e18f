"""A simulated bedroom between the coach's speaker and its microphone, for the echo tests
and the echo bench: what the speaker played goes through a delay, sox's reverberation and a
gain into the microphone, where a person's voice may be mixed over it."""

from __future__ import annotations

import subprocess

import numpy as np

from voice_coach.audio.speaker import LEAD_SECONDS


def reverberant(samples: np.ndarray, rate: int, reverberance: int) -> np.ndarray:
    """``samples`` (float, int16 scale) through sox's ``reverb`` in a small room (room scale
    20 %), as long as they were: the tail beyond is cut. Without dither: silence stays silent."""
    raw = np.clip(samples, -32768, 32767).astype("<i2").tobytes()
    out = subprocess.run(
        ["sox", "-D", "-t", "raw", "-r", str(rate), "-e", "signed", "-b", "16", "-c", "1", "-", "-t", "raw", "-",
         "reverb", str(reverberance), "50", "20"],
        input=raw, capture_output=True, check=True,
    ).stdout
    return np.frombuffer(out, "<i2").astype(np.float64)[: len(samples)]


def voiced_rms(samples: np.ndarray) -> float:
    """RMS of the loud part (above a tenth of the peak): a voice's level, its pauses left out."""
    loud = samples[np.abs(samples) > 0.1 * np.abs(samples).max()]
    return float(np.sqrt(np.mean(loud.astype(np.float64) ** 2))) if len(loud) else 0.0


def room_echo(played: np.ndarray, played_rate: int, rate: int, delay: float, reverberance: int, level: float) -> np.ndarray:
    """What the microphone (at ``rate``) hears of ``played`` (the speaker's frames from frame 0,
    float32 full scale 1.0): frame f is heard at ``f / played_rate - LEAD_SECONDS`` seconds after
    the speaker started (as ``Speaker.heard_frame`` has it with no device latency), plus ``delay``;
    its voiced RMS becomes ``level`` (int16 scale). Sample n of the result is heard at n / rate."""
    positions = np.arange(int(len(played) * rate / played_rate)) * (played_rate / rate)
    at_rate = np.interp(positions, np.arange(len(played)), played) * 32767
    shift = int(round((delay - LEAD_SECONDS) * rate))
    shifted = np.concatenate([np.zeros(max(shift, 0)), at_rate[max(-shift, 0) :]])
    echo = reverberant(shifted, rate, reverberance)
    return echo * (level / voiced_rms(echo)) if np.any(echo) else echo


def feed_with_far_end(listener, speaker, played: np.ndarray, microphone: np.ndarray, rate: int, block: int) -> None:
    """Feed ``microphone`` (int16, sample n heard at n / rate) to ``listener`` in blocks, the
    speaker's far end filled as it is live: up to the frame the mix has reached by then
    (``LEAD_SECONDS`` ahead of what is heard). ``speaker`` is a real Speaker, not started:
    its clock starts at 0.0 and its device reports no latency."""
    speaker.started_at = 0.0
    pushed = 0
    for start in range(0, len(microphone), block):
        end_time = (start + block) / rate
        mixed_to = min(len(played), int((end_time + LEAD_SECONDS) * speaker.mixer.rate) + 1)
        if mixed_to > pushed:
            speaker.far_end.played(played[pushed:mixed_to])
            pushed = mixed_to
        listener.feed(microphone[start : start + block], end_time)
