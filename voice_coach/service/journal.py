"""The journal: the person's own record of sessions and answers, in one SQLite file.

Only what the person answered is kept, only on this device, readable only by
its owner (mode 0600), and ``journal forget`` erases it. No streaks, no counts
of missed days: it is a notebook, not a scoreboard.
"""

from __future__ import annotations

import csv
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TextIO

from ..paths import private_folder

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
    answer TEXT NOT NULL
);
"""


class JournalError(Exception):
    """The journal could not be read or written; the message says why."""


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
    """One journal file; every write is its own transaction."""

    def __init__(self, path: Path):
        self.path = path
        try:
            private_folder(path.parent)
            os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))  # private before SQLite writes a byte
            os.chmod(path, 0o600)
            self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=5)
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = FULL")
            self.db.execute("PRAGMA foreign_keys = ON")
            self.db.execute("PRAGMA secure_delete = ON")  # erased answers are overwritten, not just unlinked
            self.db.executescript(SCHEMA)
            # A session still "running" belongs to a process that died.
            self.db.execute("UPDATE sessions SET outcome = 'interrupted' WHERE outcome = 'running'")
        except (OSError, sqlite3.Error) as err:
            raise JournalError(f"cannot open the journal {path}: {err}") from None

    def close(self) -> None:
        self.db.close()

    def _write(self, sql: str, *args) -> int:
        try:
            return self.db.execute(sql, args).lastrowid
        except sqlite3.Error as err:
            raise JournalError(f"could not write to the journal {self.path}: {err}") from None

    def start(self, exercise: str) -> int:
        """A new session; returns its id."""
        return self._write("INSERT INTO sessions (exercise, started, outcome) VALUES (?, ?, 'running')", exercise, now())

    def finish(self, session: int, outcome: str) -> None:
        """Record how ``session`` ended."""
        self._write("UPDATE sessions SET ended = ?, outcome = ? WHERE id = ?", now(), outcome, session)

    def record(self, session: int, field: str, question: str, answer: str) -> None:
        """Keep one answer."""
        self._write(
            "INSERT INTO answers (session, at, field, question, answer) VALUES (?, ?, ?, ?, ?)",
            session, now(), field, question, answer,
        )

    def recent(self, limit: int = 20) -> list[Entry]:
        """The latest sessions, newest first."""
        rows = self.db.execute(
            """SELECT s.started, s.exercise, s.outcome,
                      COALESCE((SELECT GROUP_CONCAT(item, ', ') FROM
                                  (SELECT a.field || ': ' || a.answer AS item FROM answers a
                                   WHERE a.session = s.id ORDER BY a.id)), '')
               FROM sessions s ORDER BY s.id DESC LIMIT ?""",
            (limit,),
        ).fetchall()
        return [Entry(*row) for row in rows]

    def export_csv(self, out: TextIO) -> int:
        """Every session and answer as CSV (one row per answer); returns the rows written."""
        rows = self.db.execute(
            """SELECT s.started, s.ended, s.exercise, s.outcome, a.at, a.field, a.question, a.answer
               FROM sessions s LEFT JOIN answers a ON a.session = s.id ORDER BY s.id, a.id"""
        ).fetchall()
        return write_csv(rows, out)

    def counts(self) -> tuple[int, int]:
        """(sessions, answers) kept."""
        return (
            self.db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0],
            self.db.execute("SELECT COUNT(*) FROM answers").fetchone()[0],
        )

    def forget(self) -> None:
        """Erase everything, leaving no trace in the file or its write-ahead log."""
        self._write("DELETE FROM answers")
        self._write("DELETE FROM sessions")
        self._write("PRAGMA wal_checkpoint(TRUNCATE)")
        self._write("VACUUM")


CSV_HEADER = ("started", "ended", "exercise", "outcome", "answered_at", "field", "question", "answer")
"""The columns of an export."""


def write_csv(rows: list[tuple], out: TextIO) -> int:
    """The export's CSV (header first) for ``rows``; returns how many rows."""
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    writer.writerows(rows)
    return len(rows)
