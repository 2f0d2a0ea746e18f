"""Typed input (`run --listen-stdin`, `play`): bytes that are not UTF-8, overlong lines and
floods neither deafen the coach nor keep it from answering or stopping."""

from __future__ import annotations

import os
import queue
import re

from daemon_harness import DaemonProcess
from voice_coach.service.textplayer import MAX_UTTERANCE, MAX_WAITING, read_lines

SENTENCE = "de kat zit op de mat en kijkt naar buiten "
"""Ordinary words: what costs the interpreter the most time per character."""


def typed(raw: bytes, heard: queue.Queue | None = None) -> list[str]:
    """What :func:`read_lines` hears from ``raw`` written into a real pipe."""
    read_end, write_end = os.pipe()
    heard = heard if heard is not None else queue.Queue()
    with open(read_end, encoding="utf-8") as source:
        reader = read_lines(source, heard)
        with open(write_end, "wb") as sink:
            sink.write(raw)
        reader.join()
    return list(heard.queue)


def test_bytes_that_are_not_utf8_are_replaced_and_the_reader_goes_on():
    assert typed(b"h\xffulp\n\xc3(\nhulp\n") == ["h\ufffdulp", "\ufffd(", "hulp"]


def test_an_overlong_line_is_cut_and_the_next_line_is_whole():
    heard = typed(SENTENCE.encode() * 25_000 + b"\nhulp\n" + b"x" * (MAX_UTTERANCE + 1) + b"\nstop")
    assert heard == [(SENTENCE * 30)[:MAX_UTTERANCE].strip(), "hulp", "x" * MAX_UTTERANCE, "stop"]


def test_a_flood_is_dropped_beyond_what_may_wait():
    full: queue.Queue[str] = queue.Queue()
    for n in range(MAX_WAITING):
        full.put(f"eerder {n}")
    assert typed(b"ja\n" * 10, full) == [f"eerder {n}" for n in range(MAX_WAITING)]


def test_the_daemon_stays_listening_through_broken_bytes_and_a_megabyte_line(tmp_path):
    with DaemonProcess(tmp_path) as daemon:
        daemon.ready()
        daemon.process.stdin.buffer.write(b"\xff\xfe\xfd\n" + SENTENCE.encode() * 25_000 + b"\n")  # 1 MB
        daemon.process.stdin.buffer.flush()
        daemon.say("hulp")
        heard = daemon.wait_log(r"heard '.*kat zit")
        assert len(re.search(r"heard '(.*)'$", heard).group(1)) <= MAX_UTTERANCE
        daemon.wait_log("idle command help")  # heard, and not after minutes of interpreting
        assert daemon.stop() == 0
    assert not [line for line in daemon.lines if "Traceback" in line or "Exception in thread" in line]


def test_sigterm_does_not_wait_behind_a_backlog(tmp_path):
    with DaemonProcess(tmp_path) as daemon:
        daemon.ready()
        for _ in range(3 * MAX_WAITING):  # each line costs the interpreter almost half a second
            daemon.say((SENTENCE * 30)[:MAX_UTTERANCE])
        daemon.wait_log("dropping them while")
        assert daemon.stop() == 0  # within stop()'s 10 s: the backlog alone would take about 40 s
        daemon.wait_log(r": stopped$")
