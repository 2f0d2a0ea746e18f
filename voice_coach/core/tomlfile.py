"""The one way this program reads a TOML file (config and scripts), whatever the bytes.

Only a regular file is opened (a FIFO named ``x.toml`` would block for ever), only
up to :data:`MAX_BYTES`, and its shape is checked before ``tomllib`` sees it:
``tomllib`` recurses once per nesting level (hundreds of levels end in a
``RecursionError``) and is quadratic in the parts of a dotted key. Every problem
is a :class:`TomlFileError` whose message names the file and what to do.
"""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path
from typing import Any

MAX_BYTES = 1024 * 1024
"""Far larger than any script or config a person writes (the longest shipped script is about
4 KB; a 10,000-step script is about 270 KB)."""
MAX_DEPTH = 12
"""Nesting of arrays and tables; a script needs 3 (``[[step]]`` with ``breathe = { ... }``)."""
MAX_DOTS = 64
"""Dots outside quotes on one line (dotted keys and numbers); real files have a handful."""


class TomlFileError(Exception):
    """A TOML file cannot be used; the message names the file and says what to do."""

    def __init__(self, path: Path, reason: str):
        self.path = path
        self.reason = reason
        """What is wrong and what to do, without the file name."""
        super().__init__(f"{path}: {reason}")


def read_toml_file(path: Path) -> dict[str, Any]:
    """The parsed contents of ``path``, or TomlFileError. ``/dev/null`` reads as empty."""
    if str(path) == os.devnull:
        return {}
    text = _text(path)
    problem = shape_problem(text)
    if problem:
        raise TomlFileError(path, problem)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise TomlFileError(path, f"invalid TOML: {err}; check quotes, brackets and '=' on that line") from None
    except RecursionError:
        raise TomlFileError(path, f"nested too deeply; use at most {MAX_DEPTH} levels of [ ] and {{ }}") from None


def _text(path: Path) -> str:
    try:
        if "\0" in str(path):
            raise ValueError
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except ValueError:
        raise TomlFileError(path, "the file name holds a NUL character; give its real name") from None
    except OSError as err:
        raise TomlFileError(path, f"cannot read the file ({err.strerror}); check the path and permissions") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise TomlFileError(path, f"not a regular file ({_kind(info.st_mode)}); give the path of a .toml text file")
        if info.st_size > MAX_BYTES:
            raise TomlFileError(path, f"{info.st_size} bytes is too large (at most {MAX_BYTES}); is it the right file?")
        raw = os.read(fd, MAX_BYTES + 1)
    except OSError as err:
        raise TomlFileError(path, f"cannot read the file ({err.strerror}); check the path and permissions") from None
    finally:
        os.close(fd)
    if len(raw) > MAX_BYTES:
        raise TomlFileError(path, f"too large (at most {MAX_BYTES} bytes); is it the right file?")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise TomlFileError(path, f"line {line}: the file is not UTF-8 (byte {err.start}); save it as UTF-8 text") from None


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device")):
        if test(mode):
            return name
    return "not a plain file"


def shape_problem(text: str) -> str | None:
    """Why ``text`` is too deep or too dotted for tomllib to read safely, or None.

    A linear scan that knows just enough TOML to skip comments and strings; any
    real syntax error is left to tomllib, which names it better.
    """
    depth = dots = 0
    line, at, end = 1, 0, len(text)
    while at < end:
        char = text[at]
        if char == "\n":
            line, dots = line + 1, 0
        elif char == "#":
            at = _line_end(text, at) - 1
        elif text.startswith(('"""', "'''"), at):
            close = text.find(text[at : at + 3], at + 3)
            if close == -1:
                return None
            line += text.count("\n", at, close)
            at = close + 2
        elif char in "\"'":
            at = _string_end(text, at)
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return f"line {line}: nested more than {MAX_DEPTH} levels deep; flatten the arrays and tables"
        elif char in "]}":
            depth = max(0, depth - 1)
        elif char == ".":
            dots += 1
            if dots > MAX_DOTS:
                return f"line {line}: more than {MAX_DOTS} dots outside quotes; shorten the dotted key"
        at += 1
    return None


def _line_end(text: str, at: int) -> int:
    newline = text.find("\n", at)
    return len(text) if newline == -1 else newline


def _string_end(text: str, at: int) -> int:
    """Index of the quote closing the one-line string opened at ``at`` (or of the line's end)."""
    quote, index = text[at], at + 1
    while index < len(text) and text[index] not in (quote, "\n"):
        index += 2 if quote == '"' and text[index] == "\\" else 1
    return index if index < len(text) and text[index] == quote else index - 1
