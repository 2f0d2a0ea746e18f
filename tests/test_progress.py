"""Progress of a long command: a bar on a terminal, a line per tenth elsewhere (an install's
output may go to the system log), and prerender saying how long it took."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys

from conftest import REPO, cli_in_process, say, short_library
from voice_coach.service.progress import Progress


def read_all(terminal: int) -> str:
    """Everything written to a pseudo-terminal whose other side is closed."""
    shown = b""
    try:
        while chunk := os.read(terminal, 65536):
            shown += chunk
    except OSError:  # EIO: nothing more to read
        pass
    os.close(terminal)
    return shown.decode()


def test_off_a_terminal_one_line_per_tenth_however_many_steps():
    stream = io.StringIO()
    with Progress(5000, "Rendering speech", stream) as progress:
        for done in range(1, 5001):
            progress.reach(done)
    lines = stream.getvalue().splitlines()
    assert lines[0] == "Rendering speech ..."
    assert [re.match(r"Rendering speech: (\d+) % after \d+ s$", line).group(1) for line in lines[1:]] == [str(p) for p in range(10, 101, 10)]


def test_a_length_learnt_late_and_steps_beyond_it_stay_within_a_hundred_percent():
    stream = io.StringIO()
    with Progress(0, "Downloading", stream) as progress:
        progress.reach(50, 200)
        progress.reach(500)
    assert stream.getvalue().splitlines()[1:] == ["Downloading: 20 % after 0 s", "Downloading: 100 % after 0 s"]


def test_on_a_terminal_a_bar_redrawn_in_place():
    main, side = os.openpty()
    with open(side, "w", closefd=True) as terminal:
        with Progress(4, "Rendering speech", terminal) as progress:
            for done in range(1, 5):
                progress.reach(done)
        terminal.flush()
    shown = read_all(main)
    assert "\r" in shown and "100%" in shown and "Rendering speech" in shown


def test_prerender_off_a_terminal_says_where_it_is_in_a_few_lines_and_how_long_it_took(tmp_path):
    scripts = short_library(tmp_path / "scripts", say("Hallo."))
    args = ("--config", os.devnull, "--scripts", str(scripts), "prerender", "--voice", "gmw/nl", "--cache", str(tmp_path / "cache"))
    cold = cli_in_process(*args)
    assert cold.returncode == 0, cold.stderr
    total = int(re.search(r"(\d+) sentences: \1 rendered, 0 already cached, in \d+\.\d\d s", cold.stdout).group(1))
    shown = [line for line in cold.stderr.splitlines() if line.startswith("Rendering speech")]
    assert shown[0] == "Rendering speech (gmw/nl) ..." and shown[-1].startswith("Rendering speech (gmw/nl): 100 % after")
    assert total > 20 and len(shown) <= 11  # never a line per sentence


def test_prerender_on_a_terminal_draws_a_bar(tmp_path):
    scripts = short_library(tmp_path / "scripts", say("Hallo."))
    cache = tmp_path / "cache"
    command = [sys.executable, "-m", "voice_coach", "--config", os.devnull, "--scripts", str(scripts), "prerender", "--voice", "gmw/nl", "--cache", str(cache)]
    assert subprocess.run(command, capture_output=True, cwd=REPO).returncode == 0  # warm: the bar's run is quick
    main, side = os.openpty()
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=side, cwd=REPO, timeout=120)
    os.close(side)
    shown = read_all(main)
    assert result.returncode == 0 and "Rendering speech (gmw/nl)" in shown and "100%" in shown and "\r" in shown
    assert b"0 rendered" in result.stdout
