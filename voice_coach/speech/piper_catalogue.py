"""The Dutch Piper voices that can be downloaded: id, quality, sizes and MD5 digests
(data in ``data/voices/piper-dutch.tsv``)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

from ..paths import DATA_DIR

PIPER_CATALOGUE = DATA_DIR / "voices" / "piper-dutch.tsv"
"""The Dutch Piper voices: id, quality, sizes and MD5 digests."""


@dataclass(frozen=True)
class PiperEntry:
    """One Dutch Piper voice in the catalogue."""

    id: str
    """e.g. ``nl_NL-pim-medium``."""
    quality: str
    """``x_low``, ``low`` or ``medium``."""
    onnx_bytes: int
    """Size of the model."""
    onnx_md5: str
    """MD5 of the model, hex."""
    json_bytes: int | None
    """Size of its config, when published."""
    json_md5: str | None
    """MD5 of its config, when published."""

    @property
    def locale(self) -> str:
        return self.id.split("-")[0]

    @property
    def path(self) -> str:
        """Its place in the rhasspy/piper-voices repository, without the file ending."""
        language, name = self.locale.split("_")[0], self.id.split("-")[1]
        return f"{language}/{self.locale}/{name}/{self.quality}/{self.id}"


@cache
def piper_catalogue() -> dict[str, PiperEntry]:
    """The Dutch Piper voices, by id."""
    rows = [line for line in PIPER_CATALOGUE.read_text("utf-8").splitlines() if line and not line.startswith("#")]
    entries = {}
    for voice_id, quality, onnx_bytes, onnx_md5, json_bytes, json_md5 in csv.reader(rows, delimiter="\t"):
        entries[voice_id] = PiperEntry(
            voice_id, quality, int(onnx_bytes), onnx_md5,
            None if json_bytes == "-" else int(json_bytes), None if json_md5 == "-" else json_md5,
        )
    return entries
