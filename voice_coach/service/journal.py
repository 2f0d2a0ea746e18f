"""The journal: the person's own record of sessions and answers, in one SQLite file.

Only what the person answered is kept, only on this device, readable only by
its owner (mode 0600), and ``journal forget`` erases it. No streaks, no counts
of missed days: it is a notebook, not a scoreboard.
"""

from __future__ import annotations

import csv
import fcntl
import logging
import os
import sqlite3
import stat
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TextIO

from ..paths import private_folder

log = logging.getLogger(__name__)

SQLITE_FILES = ("", "-wal", "-shm", "-journal")
"""What SQLite makes beside the journal file: its name plus each of these endings."""
LEFTOVERS = ("-wal", "-journal")
"""The files SQLite would replay into the database on opening it."""
SET_ASIDE = ".set-aside"
"""Appended to a leftover that was moved out of SQLite's way (see :func:`set_aside_leftovers`)."""
_SET_ASIDE_NAMES = tuple(name + SET_ASIDE for name in LEFTOVERS)
SQLITE_MAGIC = b"SQLite format 3\0"
"""How every SQLite database file begins."""
DAMAGED = (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)
"""SQLite's codes for a file that is not (or no longer) a sound database."""

ANSWER_KINDS = ("understood", "own words")
"""An answer the coach understood (its answer words), or one it kept in the person's own words."""
OUTCOMES = ("running", "completed", "stopped", "interrupted", "crisis")
"""How a session ended; ``running`` until it does (a crash leaves ``interrupted``)."""

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY,
    exercise TEXT NOT NULL,
    started TEXT NOT NULL,
    ended TEXT,
    outcome TEXT NOT NULL CHECK (outcome IN {OUTCOMES!r})
);
CREATE TABLE IF NOT EXISTS answers (
    id INTEGER PRIMARY KEY,
    session INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    field TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'understood' CHECK (kind IN {ANSWER_KINDS!r})
);
"""
ANSWER_COLUMNS = {"kind": f"kind TEXT NOT NULL DEFAULT 'understood' CHECK (kind IN {ANSWER_KINDS!r})"}
"""Columns added after the first journals were written: added to an older journal when it opens."""


class JournalError(Exception):
    """The journal could not be read or written; the message says why."""

    def __init__(self, message: str, damaged: bool = False):
        super().__init__(message)
        self.damaged = damaged
        """The file is not a sound SQLite database: only erasing its files can help."""


@dataclass(frozen=True)
class Entry:
    """One session as shown to the person."""

    started: str
    """When it began (local time)."""
    exercise: str
    """Which exercise."""
    outcome: str
    """How it ended."""
    answers: str
    """What was answered, ``field: answer`` joined by commas."""


def now() -> str:
    """Local time, to the second, ISO 8601."""
    return datetime.now().astimezone().isoformat(timespec="seconds")


class Journal:
    """One journal file; every write is its own transaction.

    A write is checkpointed into the database file at once, so the write-ahead log is
    empty at rest. That is what makes a leftover log safe to judge: SQLite replays any
    ``-wal`` (or hot ``-journal``) it finds beside a database, with nothing tying it to that
    database, so a log copied in from elsewhere would replace the journal's contents. Every
    open Journal holds a shared lock on the folder; one that finds itself alone knows that
    any non-empty leftover was not written by a live process, and moves it aside (at worst
    the last answer before a power cut, kept in the set-aside file) instead of letting SQLite
    replay it."""

    def __init__(self, path: Path):
        self.path = path
        self.set_aside: list[Path] = []
        """Leftovers that were moved aside when the journal was opened."""
        self.folder = -1
        try:
            private_folder(path.parent)
            check_plain_files(path)
            self.folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            alone = _alone(self.folder)
            if alone:
                self.set_aside = set_aside_leftovers(path)
            fcntl.flock(self.folder, fcntl.LOCK_SH)  # before SQLite opens: a live log is always seen as live
            _create_private(path)
            self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=5)
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = FULL")
            self.db.execute("PRAGMA foreign_keys = ON")
            self.db.execute("PRAGMA secure_delete = ON")  # erased answers are overwritten, not just unlinked
            self.db.executescript(SCHEMA)
            self._add_new_columns()
            if alone:  # a session still "running" belongs to a process that died
                self.db.execute("UPDATE sessions SET outcome = 'interrupted' WHERE outcome = 'running'")
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except JournalError:
            self._release()
            raise
        except (OSError, sqlite3.Error) as err:
            self._release()
            raise JournalError(f"cannot open the journal {path}: {_reason(err)}", _damaged(err)) from None
        for leftover in self.set_aside:
            log.warning("journal: %s was found with no journal open (a copy from elsewhere, or the last write "
                        "before a crash); moved aside to %s so that SQLite does not replay it", leftover.name.removesuffix(SET_ASIDE), leftover)

    def _add_new_columns(self) -> None:
        have = {row[1] for row in self.db.execute("PRAGMA table_info(answers)")}
        for name, definition in ANSWER_COLUMNS.items():
            if name not in have:
                self.db.execute(f"ALTER TABLE answers ADD COLUMN {definition}")

    def _release(self) -> None:
        if getattr(self, "db", None) is not None:
            self.db.close()
        if self.folder >= 0:
            os.close(self.folder)
            self.folder = -1

    def close(self) -> None:
        self._release()

    def _write(self, sql: str, *args) -> int:
        try:
            row = self.db.execute(sql, args).lastrowid
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the log stays empty at rest (see the class)
            return row
        except sqlite3.Error as err:
            raise JournalError(f"could not write to the journal {self.path}: {_reason(err)}", _damaged(err)) from None

    def _read(self, sql: str, *args) -> list[tuple]:
        try:
            return self.db.execute(sql, args).fetchall()
        except sqlite3.Error as err:
            raise JournalError(f"cannot read the journal {self.path}: {_reason(err)}", _damaged(err)) from None

    def start(self, exercise: str) -> int:
        """A new session; returns its id."""
        return self._write("INSERT INTO sessions (exercise, started, outcome) VALUES (?, ?, 'running')", exercise, now())

    def finish(self, session: int, outcome: str) -> None:
        """Record how ``session`` ended."""
        self._write("UPDATE sessions SET ended = ?, outcome = ? WHERE id = ?", now(), outcome, session)

    def record(self, session: int, field: str, question: str, answer: str, own_words: bool = False) -> None:
        """Keep one answer: its answer words, or (``own_words``) what was said, as said."""
        self._write(
            "INSERT INTO answers (session, at, field, question, answer, kind) VALUES (?, ?, ?, ?, ?, ?)",
            session, now(), field, question, answer, ANSWER_KINDS[own_words],
        )

    def recent(self, limit: int = 20) -> list[Entry]:
        """The latest sessions, newest first."""
        rows = self._read(
            """SELECT s.started, s.exercise, s.outcome,
                      COALESCE((SELECT GROUP_CONCAT(item, ', ') FROM
                                  (SELECT a.field || ': ' || CASE a.kind WHEN 'own words' THEN '"' || a.answer || '"'
                                          ELSE a.answer END AS item FROM answers a
                                   WHERE a.session = s.id ORDER BY a.id)), '')
               FROM sessions s ORDER BY s.id DESC LIMIT ?""",
            limit,
        )
        return [Entry(*row) for row in rows]

    def export_csv(self, out: TextIO) -> int:
        """Every session and answer as CSV (one row per answer); returns the rows written."""
        rows = self._read(
            """SELECT s.started, s.ended, s.exercise, s.outcome, a.at, a.field, a.question, a.answer, a.kind
               FROM sessions s LEFT JOIN answers a ON a.session = s.id ORDER BY s.id, a.id"""
        )
        return write_csv(rows, out)

    def counts(self) -> tuple[int, int]:
        """(sessions, answers) kept."""
        return self._read("SELECT (SELECT COUNT(*) FROM sessions), (SELECT COUNT(*) FROM answers)")[0]

    def forget(self) -> None:
        """Erase everything, leaving no trace in the file or its write-ahead log."""
        self._write("DELETE FROM answers")
        self._write("DELETE FROM sessions")
        self._write("VACUUM")
        _unlink_plain(self.path, _SET_ASIDE_NAMES)  # they may hold answers too


CSV_HEADER = ("started", "ended", "exercise", "outcome", "answered_at", "field", "question", "answer", "kind")
"""The columns of an export."""


def write_csv(rows: list[tuple], out: TextIO) -> int:
    """The export's CSV (header first) for ``rows``; returns how many rows."""
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    writer.writerows(rows)
    return len(rows)


def _reason(err: Exception) -> str:
    reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
    return f"{reason}; if it is damaged, `voice-coach journal forget` erases it" if _damaged(err) else reason


def _damaged(err: Exception) -> bool:
    return isinstance(err, sqlite3.Error) and getattr(err, "sqlite_errorcode", None) in DAMAGED


def _alone(folder: int) -> bool:
    """Whether no other Journal (in any process, this one included) has this folder's journal open."""
    try:
        fcntl.flock(folder, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def check_plain_files(path: Path) -> None:
    """Refuse a journal (or a file SQLite keeps beside it) that is a link, a FIFO or a
    device: SQLite would follow a link and chmod and write its target (as root, any file)."""
    for name in SQLITE_FILES:
        file = path.with_name(path.name + name)
        try:
            mode = os.lstat(file).st_mode
        except FileNotFoundError:
            continue
        if not stat.S_ISREG(mode):
            kind = "a link" if stat.S_ISLNK(mode) else "not a regular file"
            raise JournalError(f"the journal's file {file} is {kind}; voice-coach keeps its journal in plain files only: move {file} away")


def _create_private(path: Path) -> None:
    """Create the journal file as 0600 before SQLite writes a byte, never following a link or
    waiting on a FIFO (planted after :func:`check_plain_files`)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, 0o600)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise JournalError(f"the journal {path} is not a regular file; move it away")
        if info.st_mode & 0o077 and info.st_uid == os.geteuid():  # another user's file is not changed, even by root
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def set_aside_leftovers(path: Path) -> list[Path]:
    """Move a non-empty ``-wal`` or ``-journal`` beside ``path`` out of SQLite's way (call only
    when no process has the journal open); returns where each went."""
    moved = []
    for name in LEFTOVERS:
        leftover = path.with_name(path.name + name)
        if leftover.exists() and os.lstat(leftover).st_size > 0:
            target = leftover.with_name(leftover.name + SET_ASIDE)
            os.replace(leftover, target)
            moved.append(target)
    return moved


def erase_files(path: Path) -> tuple[list[Path], list[Path]]:
    """Delete the journal's files when the database itself cannot be erased: only the names
    SQLite and :func:`set_aside_leftovers` make. Refused while another Journal has it open.
    Returns (deleted, left alone: not regular files)."""
    folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        if not _alone(folder):
            raise JournalError(f"the journal {path} is in use (by the service?); stop it first (sudo systemctl stop voice-coach), then try again")
        if not _looks_like_sqlite(path):
            raise JournalError(f"{path} is not a SQLite database, so perhaps not the journal: nothing was deleted; "
                               "check the path (--journal), and delete it yourself if it is the journal")
        return _unlink_plain(path, [*SQLITE_FILES, *_SET_ASIDE_NAMES])
    finally:
        os.close(folder)


def _looks_like_sqlite(path: Path) -> bool:
    """Whether ``path`` is missing, empty or begins as a SQLite database (a damaged journal
    still does; a document named by mistake with --journal does not)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return True
    except OSError:
        return False  # a link or unreadable: not deleted
    try:
        head = os.read(fd, len(SQLITE_MAGIC))
    finally:
        os.close(fd)
    return head in (b"", SQLITE_MAGIC)


def _unlink_plain(path: Path, names: list[str] | tuple[str, ...]) -> tuple[list[Path], list[Path]]:
    """Unlink ``path`` + each of ``names`` that is a regular file (a link is left, not followed);
    returns (deleted, left alone)."""
    deleted, left = [], []
    for file in (path.with_name(path.name + name) for name in names):
        try:
            mode = os.lstat(file).st_mode
        except FileNotFoundError:
            continue
        if stat.S_ISREG(mode):
            file.unlink()
            deleted.append(file)
        else:
            left.append(file)
    return deleted, left
