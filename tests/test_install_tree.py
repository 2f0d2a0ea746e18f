"""systemd/copy-tree.sh, the step of install-pi.sh that puts the checkout in /opt/voice-coach:
the copy is root's own, whoever owned the checkout (root and the service run that code)."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

from conftest import REPO

COPY_TREE = REPO / "systemd" / "copy-tree.sh"
OTHER_USER = 54321
"""The checkout's owner: not root (the tests run as root, as install-pi.sh does)."""


def checkout_of_another_user(root: Path) -> Path:
    """A small checkout owned by OTHER_USER, with writable files, a set-uid file and an inner link."""
    source = root / "checkout"
    (source / "voice_coach").mkdir(parents=True)
    (source / "scripts").mkdir()
    (source / "scripts" / "adem.toml").write_text("id = 'adem'\n")
    (source / "voice_coach" / "__init__.py").write_text("")
    (source / "voice_coach" / "exercises").symlink_to("../scripts")
    (source / "install.sh").write_text("#!/bin/sh\n")
    (source / "helper").write_text("#!/bin/sh\n")
    os.chmod(source / "install.sh", 0o777)
    os.chmod(source / "helper", 0o4755)
    os.chmod(source / "scripts", 0o777)
    (source / ".venv" / "bin").mkdir(parents=True)
    for path in [source, *source.rglob("*")]:
        os.lchown(path, OTHER_USER, OTHER_USER)
    return source


def test_the_installed_tree_is_roots_and_not_writable_by_others(tmp_path):
    source = checkout_of_another_user(tmp_path)
    target = tmp_path / "opt" / "voice-coach"
    target.mkdir(parents=True)
    (target / "stale.py").write_text("")  # left by an earlier install
    os.chown(target / "stale.py", OTHER_USER, OTHER_USER)
    result = subprocess.run([str(COPY_TREE), str(source), str(target)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    copied = [target, *target.rglob("*")]
    assert {p.name for p in copied} >= {"voice-coach", "scripts", "adem.toml", "voice_coach", "exercises", "install.sh", "helper", "stale.py"}
    for path in copied:
        info = path.lstat()
        assert (info.st_uid, info.st_gid) == (0, 0), path
        if not stat.S_ISLNK(info.st_mode):
            assert info.st_mode & 0o022 == 0 and info.st_mode & 0o6000 == 0, (path, oct(info.st_mode))
    assert os.readlink(target / "voice_coach" / "exercises") == "../scripts"
    assert (target / "install.sh").stat().st_mode & 0o777 == 0o755
    assert not (target / ".venv").exists()
    assert source.stat().st_uid == OTHER_USER and (source / "scripts").stat().st_mode & 0o777 == 0o777  # the checkout is left as it was


def test_a_link_out_of_the_checkout_is_refused(tmp_path):
    source = checkout_of_another_user(tmp_path)
    theirs = tmp_path / "theirs.py"
    theirs.write_text("")
    os.chown(theirs, OTHER_USER, OTHER_USER)
    (source / "voice_coach" / "evil.py").symlink_to(theirs)
    result = subprocess.run([str(COPY_TREE), str(source), str(tmp_path / "opt")], capture_output=True, text=True)
    assert result.returncode == 1 and "evil.py leads out of the checkout" in result.stderr, result.stderr
    assert theirs.stat().st_uid == OTHER_USER  # not chowned through the link


def test_install_pi_copies_through_copy_tree():
    script = (REPO / "systemd" / "install-pi.sh").read_text()
    assert '"$source_dir/systemd/copy-tree.sh" "$source_dir" "$target"' in script and "cp -a" not in script
