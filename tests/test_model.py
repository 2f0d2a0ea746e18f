"""Model download and verify against a local HTTP server on 127.0.0.1."""

from __future__ import annotations

import hashlib
import os
import stat
import http.server
import io
import threading
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from voice_coach.paths import command_name
from voice_coach.service.cli import main
from voice_coach.speech.model import (
    DUTCH_MANIFEST,
    ManifestEntry,
    ModelError,
    install_model,
    model_status,
    read_manifest,
    verify_model,
)

FILES = {"README": b"a tiny test model\n", "am/final.mdl": bytes(range(256)) * 40, "conf/model.conf": b"--sample-frequency=16000\n"}


def manifest_for(files: dict[str, bytes]) -> list[ManifestEntry]:
    return [ManifestEntry(hashlib.sha256(data).hexdigest(), len(data), name) for name, data in files.items()]


def zipped(files: dict[str, bytes], top: str = "tiny-model", compression: int = zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in files.items():
            archive.writestr(f"{top}/{name}" if top else name, data)
    return buffer.getvalue()


class Server:
    """Serves ``body`` at /model.zip; with ``cut_at``, claims the full length and hangs up early."""

    def __init__(self):
        self.body, self.cut_at = b"", None
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Length", str(len(server.body)))
                self.end_headers()
                self.wfile.write(server.body[: server.cut_at])

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/model.zip"


@pytest.fixture
def server():
    srv = Server()
    yield srv
    srv.httpd.shutdown()


def install(server, tmp_path, files=FILES, manifest=None):
    server.body = zipped(files)
    return install_model(server.url, tmp_path, "tiny-model", manifest or manifest_for(FILES))


def test_download_installs_and_verifies(server, tmp_path):
    seen = []
    server.body = zipped(FILES)
    link = install_model(server.url, tmp_path, "tiny-model", manifest_for(FILES), lambda done, total: seen.append((done, total)))
    assert link == tmp_path / "tiny-model" and link.is_symlink()
    assert verify_model(link, manifest_for(FILES)) == []
    assert seen[-1] == (len(server.body), len(server.body))
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".download-")] == []


def test_a_tampered_download_is_refused_and_the_good_model_stays(server, tmp_path):
    good = install(server, tmp_path)
    before = good.resolve()
    tampered = {**FILES, "am/final.mdl": FILES["am/final.mdl"][:-1] + b"\x00"}
    with pytest.raises(ModelError, match=r"failed verification, nothing was changed: am/final.mdl has the wrong SHA-256"):
        install(server, tmp_path, tampered)
    assert good.resolve() == before and verify_model(good, manifest_for(FILES)) == []


def test_an_interrupted_download_leaves_the_previous_model_intact(server, tmp_path):
    good = install(server, tmp_path)
    server.cut_at = 100
    with pytest.raises(ModelError, match="stopped after 100 of"):
        install(server, tmp_path)
    assert verify_model(good, manifest_for(FILES)) == []
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".download-")] == []


def test_a_missing_file_in_the_download_is_refused(server, tmp_path):
    incomplete = {k: v for k, v in FILES.items() if k != "conf/model.conf"}
    with pytest.raises(ModelError, match="conf/model.conf is missing"):
        install(server, tmp_path, incomplete)
    assert not (tmp_path / "tiny-model").exists()


def test_an_unsafe_zip_is_refused(server, tmp_path):
    server.body = zipped({"../../escape": b"x"}, top="")
    with pytest.raises(ModelError, match="unsafe path"):
        install_model(server.url, tmp_path, "tiny-model", manifest_for(FILES))
    assert not (tmp_path.parent / "escape").exists()


def test_a_newer_download_replaces_the_old_one(server, tmp_path):
    first = install(server, tmp_path).resolve()
    second = install(server, tmp_path).resolve()
    assert first != second and not first.exists()
    assert verify_model(tmp_path / "tiny-model", manifest_for(FILES)) == []


def test_damage_after_install_is_found_with_the_fix(server, tmp_path):
    link = install(server, tmp_path)
    (link / "am" / "final.mdl").write_bytes(b"broken")
    problems = model_status(link, manifest_for(FILES), full=True)
    assert problems == [
        f"the model at {link} is damaged: am/final.mdl has 6 bytes, expected 10240; "
        f"download it with: {command_name()} model download (again)"
    ]
    assert model_status(tmp_path / "nothing", manifest_for(FILES), full=False) == [
        f"no speech model at {tmp_path / 'nothing'}; download it with: {command_name()} model download"
    ]


def test_the_dutch_manifest_ships_with_the_project():
    entries = read_manifest(DUTCH_MANIFEST)
    assert len(entries) == 14
    assert ManifestEntry("f0c86a1b361d1d9f22870907a17c7ab5f634659f3282ec9a329f651e9141cafc", 15917156, "am/final.mdl") in entries
    shared = Path(__file__).resolve().parents[2] / "shared" / "models" / DUTCH_MANIFEST.name
    if shared.exists():  # beside the checkout on the team's machines
        assert read_manifest(shared) == entries


def test_cli_download_and_verify(server, tmp_path):
    server.body = zipped(FILES)
    manifest = tmp_path / "tiny.sha256"
    manifest.write_text("".join(f"{e.sha256}  {e.size}  {e.path}\n" for e in manifest_for(FILES)))
    models = tmp_path / "models"
    runner = CliRunner()
    result = runner.invoke(main, ["model", "download", "--url", server.url, "--manifest", str(manifest), "--models-dir", str(models), "--name", "tiny-model"])
    assert result.exit_code == 0, result.output
    assert f"installed and verified: {models / 'tiny-model'}" in result.output
    result = runner.invoke(main, ["model", "verify", "--model", str(tmp_path / "absent" / "vosk-model-small-nl-0.22")])
    assert result.exit_code == 1 and f"download it with: {command_name()} model download" in result.output


# -- never deletes, follows or fills anything it did not make -------------------------


def test_a_planted_link_never_makes_it_delete_what_the_link_points_to(server, tmp_path):
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious.txt").write_text("keep me")
    models = tmp_path / "models"
    models.mkdir()
    (models / "tiny-model").symlink_to(victim)  # planted where the installed model's link goes
    install(server, models)
    assert (victim / "precious.txt").read_text() == "keep me"
    assert verify_model(models / "tiny-model", manifest_for(FILES)) == []
    (models / "tiny-model").unlink()
    (models / "tiny-model").symlink_to("../victim")  # relative, out of the folder
    install(server, models)
    assert (victim / "precious.txt").read_text() == "keep me"


def test_leftovers_of_an_interrupted_download_are_removed_but_links_not_followed(server, tmp_path):
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious.txt").write_text("keep me")
    models = tmp_path / "models"
    (models / ".download-killed" / "unpacked").mkdir(parents=True)
    (models / ".download-killed" / "model.zip").write_bytes(b"x" * 4096)
    (models / ".download-link").symlink_to(victim)
    install(server, models)
    assert sorted(p.name for p in models.iterdir() if p.name.startswith(".download-")) == []
    assert (victim / "precious.txt").read_text() == "keep me"


def test_an_archive_that_unpacks_to_more_than_the_model_is_refused_unpacked(server, tmp_path):
    junk = {**FILES, "extra/junk.bin": b"\0" * (2 << 20)}
    server.body = zipped(junk, compression=zipfile.ZIP_DEFLATED)  # small to download, large unpacked
    with pytest.raises(ModelError, match=r"would unpack to 4 files and \d+ bytes, more than the model \(3 files, 10283 bytes\)"):
        install_model(server.url, tmp_path / "models", "tiny-model", manifest_for(FILES))
    assert not (tmp_path / "models" / "tiny-model").exists()
    assert not any(p.name == "junk.bin" for p in (tmp_path / "models").rglob("*"))


def test_root_refuses_a_folder_another_user_owns(server, tmp_path):
    if os.geteuid() != 0:
        pytest.skip("only root can be refused here; the tests run as a normal user")
    models = tmp_path / "models"
    models.mkdir()
    os.chown(models, 65534, 65534)
    with pytest.raises(ModelError, match=r"belongs to user id 65534, not root; run this as that user"):
        install(server, models)
    assert list(models.iterdir()) == []


def test_the_folders_it_makes_are_private(server, tmp_path):
    install(server, tmp_path / "state" / "models")
    for folder in (tmp_path / "state", tmp_path / "state" / "models"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


def test_download_from_a_local_zip(tmp_path):
    archive = tmp_path / "tiny.zip"
    archive.write_bytes(zipped(FILES))
    manifest = tmp_path / "tiny.sha256"
    manifest.write_text("".join(f"{e.sha256}  {e.size}  {e.path}\n" for e in manifest_for(FILES)))
    result = CliRunner().invoke(
        main, ["model", "download", "--from", str(archive), "--manifest", str(manifest), "--models-dir", str(tmp_path / "m"), "--name", "tiny-model"]
    )
    assert result.exit_code == 0, result.output
    assert verify_model(tmp_path / "m" / "tiny-model", manifest_for(FILES)) == []
