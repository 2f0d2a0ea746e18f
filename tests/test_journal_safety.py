"""The journal and its export against hostile files (the tests run as root, as `sudo
voice-coach` would): device nodes, FIFOs, links and other users' files are never followed,
chmodded or written; a damaged or foreign database gives a clear error, and `forget` still
erases what it can."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from voice_coach.service.journal import SCHEMA, Journal

OTHER_USER = 54321
"""A uid that is not the caller's (the tests run as root)."""


def cli(*args: str, stdout=subprocess.PIPE) -> subprocess.CompletedProcess:
    """The real command line in its own process: a traceback or a hang would show."""
    return subprocess.run([sys.executable, "-m", "voice_coach", "--config", os.devnull, *args],
                          stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=60)


def clear_error(result: subprocess.CompletedProcess, message: str) -> None:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and message in result.stderr, result.stderr


@pytest.fixture
def journal_path(tmp_path) -> Path:
    path = tmp_path / "state" / "journal.sqlite"
    journal = Journal(path)
    journal.record(journal.start("check-in"), "emotie", "Welke emotie is er nu?", "verdriet")
    journal.close()
    return path


def device_copy(path: Path, major: int, minor: int) -> Path:
    """A real character device node, as /dev/null (1, 3) or /dev/full (1, 7) are."""
    os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(major, minor))
    os.chmod(path, 0o666)
    return path


# -- journal export -o ----------------------------------------------------------------


def test_an_export_onto_a_device_node_is_refused_and_the_node_keeps_its_mode(journal_path, tmp_path):
    null = device_copy(tmp_path / "null", 1, 3)
    clear_error(cli("--journal", str(journal_path), "journal", "export", "-o", str(null)), "is not a regular file")
    assert stat.S_ISCHR(null.lstat().st_mode) and stat.S_IMODE(null.lstat().st_mode) == 0o666


def test_an_export_onto_a_fifo_is_refused_without_waiting(journal_path, tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    clear_error(cli("--journal", str(journal_path), "journal", "export", "-o", str(fifo)), "is not a regular file")
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_an_export_onto_another_users_file_is_refused(journal_path, tmp_path):
    theirs = tmp_path / "theirs.csv"
    theirs.write_text("their own\n")
    os.chown(theirs, OTHER_USER, OTHER_USER)
    os.chmod(theirs, 0o644)
    clear_error(cli("--journal", str(journal_path), "journal", "export", "-o", str(theirs)), f"belongs to another user (uid {OTHER_USER})")
    assert theirs.read_text() == "their own\n" and theirs.stat().st_uid == OTHER_USER
    assert stat.S_IMODE(theirs.stat().st_mode) == 0o644


def test_an_export_through_a_link_is_refused_and_its_target_untouched(journal_path, tmp_path):
    target = tmp_path / "target"
    target.write_text("keep\n")
    os.chmod(target, 0o644)
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    clear_error(cli("--journal", str(journal_path), "journal", "export", "-o", str(link)), "is a link")
    assert target.read_text() == "keep\n" and stat.S_IMODE(target.stat().st_mode) == 0o644


def test_an_export_replaces_the_callers_own_file_with_a_private_one(journal_path, tmp_path):
    mine = tmp_path / "mine.csv"
    mine.write_text("old\n")
    os.chmod(mine, 0o644)
    result = cli("--journal", str(journal_path), "journal", "export", "-o", str(mine))
    assert result.returncode == 0 and "1 rows written" in result.stderr, result.stderr
    assert "verdriet" in mine.read_text() and stat.S_IMODE(mine.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.csv", "state"]  # no scratch file left


def test_an_export_to_a_full_device_says_so(journal_path, tmp_path):
    full = device_copy(tmp_path / "full", 1, 7)
    with open(full, "w") as stdout:
        result = cli("--journal", str(journal_path), "journal", "export", stdout=stdout)
    clear_error(result, "cannot write the export to standard output: No space left on device")


def test_an_export_into_a_folder_that_is_not_there_is_a_clear_error(journal_path, tmp_path):
    clear_error(cli("--journal", str(journal_path), "journal", "export", "-o", str(tmp_path / "no" / "x.csv")),
                f"cannot write {tmp_path / 'no' / 'x.csv'}: No such file or directory")


# -- a journal that is a link or not a file ----------------------------------------------


@pytest.mark.parametrize("name", ["journal.sqlite", "journal.sqlite-wal", "journal.sqlite-shm", "journal.sqlite-journal"])
def test_a_linked_journal_file_is_refused_and_its_target_untouched(journal_path, tmp_path, name):
    scratch = tmp_path / "passwd"
    scratch.write_text("root:x:0:0::/root:/bin/bash\n")
    os.chmod(scratch, 0o644)
    planted = journal_path.with_name(name)
    planted.unlink(missing_ok=True)
    planted.symlink_to(scratch)
    for args in (["journal"], ["journal", "export"], ["journal", "forget", "--yes"]):
        clear_error(cli("--journal", str(journal_path), *args), f"the journal's file {planted} is a link")
    assert scratch.read_text() == "root:x:0:0::/root:/bin/bash\n" and stat.S_IMODE(scratch.stat().st_mode) == 0o644
    assert planted.is_symlink()


def test_a_journal_that_is_a_device_is_refused(tmp_path):
    null = device_copy(tmp_path / "null", 1, 3)
    clear_error(cli("--journal", str(null), "journal"), "is not a regular file")
    assert stat.S_IMODE(null.lstat().st_mode) == 0o666


# -- a damaged journal ------------------------------------------------------------------


def damage_a_page(path: Path) -> None:
    """Overwrite one page of the answers with garbage, as a bad sector would."""
    db = sqlite3.connect(path)
    page_size = db.execute("PRAGMA page_size").fetchone()[0]
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.close()
    assert pages > 4
    with open(path, "r+b") as file:
        file.seek(page_size * (pages - 2))
        file.write(b"\xa5" * page_size)


@pytest.fixture
def damaged(tmp_path) -> Path:
    path = tmp_path / "state" / "journal.sqlite"
    journal = Journal(path)
    session = journal.start("check-in")
    with journal.db:
        journal.db.executemany("INSERT INTO answers (session, at, field, question, answer) VALUES (?, 'now', 'emotie', 'Welke?', ?)",
                               [(session, f"antwoord {n} " * 20) for n in range(300)])
    journal.close()
    damage_a_page(path)
    return path


def test_a_damaged_journal_is_a_clear_error_for_reading(damaged):
    for args in (["journal"], ["journal", "export"]):
        clear_error(cli("--journal", str(damaged), *args), "database disk image is malformed; if it is damaged, `voice-coach journal forget` erases it")


def test_forget_deletes_the_files_of_a_damaged_journal_and_nothing_else(damaged):
    mine = damaged.with_name("journal.sqlite.bak")  # not a name the program makes
    mine.write_text("kept")
    damaged.with_name("journal.sqlite-shm").write_bytes(b"\0" * 100)
    refused = cli("--journal", str(damaged), "journal", "forget")  # no answer: nothing deleted
    assert refused.returncode == 1 and damaged.exists()
    result = cli("--journal", str(damaged), "journal", "forget", "--yes")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert "The journal cannot be read" in result.stderr and "The journal is erased." in result.stdout
    assert sorted(p.name for p in damaged.parent.iterdir()) == ["journal.sqlite.bak"]


def test_forget_does_not_delete_a_damaged_journal_that_is_in_use(damaged):
    holder = subprocess.Popen([sys.executable, "-c", "import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDONLY); "
                               "fcntl.flock(fd, fcntl.LOCK_SH); print('held', flush=True); sys.stdin.read()", str(damaged.parent)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "held\n"
        clear_error(cli("--journal", str(damaged), "journal", "forget", "--yes"), "is in use (by the service?)")
        assert damaged.exists()
    finally:
        holder.stdin.close()
        holder.wait()


# -- a write-ahead log from another database ------------------------------------------


def foreign_wal(tmp_path: Path, sessions: int) -> Path:
    """The -wal of another journal, copied while that journal was open."""
    other = tmp_path / "other" / "journal.sqlite"
    other.parent.mkdir()
    db = sqlite3.connect(other, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA wal_autocheckpoint = 0")
    db.executescript(SCHEMA)
    db.executemany("INSERT INTO sessions (exercise, started, outcome) VALUES ('veilig', 'then', 'completed')", [()] * sessions)
    copy = tmp_path / "other.wal"
    shutil.copy(other.with_name("journal.sqlite-wal"), copy)
    db.close()
    return copy


def test_a_foreign_wal_is_moved_aside_not_replayed(tmp_path):
    path = tmp_path / "state" / "journal.sqlite"
    journal = Journal(path)
    with journal.db:
        journal.db.executemany("INSERT INTO sessions (exercise, started, outcome) VALUES ('check-in', 'now', 'completed')", [()] * 3000)
    journal.close()
    shutil.copy(foreign_wal(tmp_path, 50), path.with_name("journal.sqlite-wal"))
    reopened = Journal(path)
    assert reopened.counts() == (3000, 0)
    assert reopened.set_aside == [path.with_name("journal.sqlite-wal.set-aside")]
    reopened.forget()
    reopened.close()
    assert not path.with_name("journal.sqlite-wal.set-aside").exists()


def test_a_live_wal_of_an_open_journal_is_used(tmp_path):
    path = tmp_path / "journal.sqlite"
    first = Journal(path)
    first.db.execute("PRAGMA wal_autocheckpoint = 0")
    first.db.execute("INSERT INTO sessions (exercise, started, outcome) VALUES ('veilig', 'now', 'running')")  # only in the log
    assert path.with_name("journal.sqlite-wal").stat().st_size > 0
    second = Journal(path)
    assert second.set_aside == [] and second.counts() == (1, 0)
    assert [e.outcome for e in second.recent()] == ["running"]  # the first one's session, not "interrupted"
    second.close()
    first.close()


def test_forget_does_not_delete_a_file_that_is_not_a_sqlite_database(tmp_path):
    document = tmp_path / "thesis.odt"  # named with --journal by mistake
    document.write_bytes(b"PK\x03\x04 my own words " * 100)
    result = cli("--journal", str(document), "journal", "forget", "--yes")
    clear_error(result, "is not a SQLite database, so perhaps not the journal: nothing was deleted")
    assert document.read_bytes() == b"PK\x03\x04 my own words " * 100


def test_reading_another_users_journal_leaves_its_mode(journal_path):
    os.chown(journal_path, OTHER_USER, OTHER_USER)
    os.chmod(journal_path, 0o640)
    result = cli("--journal", str(journal_path), "journal")
    assert result.returncode == 0 and "verdriet" in result.stdout, result.stderr
    assert stat.S_IMODE(journal_path.stat().st_mode) == 0o640 and journal_path.stat().st_uid == OTHER_USER


def test_a_new_or_loose_journal_of_ones_own_is_made_private(journal_path, tmp_path):
    os.chmod(journal_path, 0o644)
    Journal(journal_path).close()
    assert stat.S_IMODE(journal_path.stat().st_mode) == 0o600
    fresh = tmp_path / "fresh" / "journal.sqlite"
    Journal(fresh).close()
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600


def test_an_export_that_cannot_be_written_whole_leaves_nothing_behind(tmp_path):
    path = tmp_path / "state" / "journal.sqlite"
    journal = Journal(path)
    with journal.db:
        journal.db.executemany("INSERT INTO sessions (exercise, started, outcome) VALUES ('check-in', 'now', 'completed')", [()] * 5000)
    journal.close()
    out = tmp_path / "out" / "export.csv"
    out.parent.mkdir()

    def small_files() -> None:  # as a full disk would: a write beyond 64 KB fails (EFBIG, with SIGXFSZ ignored)
        import resource
        import signal
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))

    result = subprocess.run([sys.executable, "-m", "voice_coach", "--config", os.devnull, "--journal", str(path), "journal", "export", "-o", str(out)],
                            capture_output=True, text=True, timeout=60, preexec_fn=small_files)
    clear_error(result, f"cannot write {out}: File too large")
    assert list(out.parent.iterdir()) == []
