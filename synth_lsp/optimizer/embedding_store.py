"""Embeddings kept beside the script (`NAME.synth.embeddings.json`), so a resumed or restarted
evolution does not pay its embedding model again for the candidates it already embedded.

The file is a cache: vectors of one model (another model's vectors mean nothing in this one's
space, so a file written for another model is ignored), keyed by candidate id. A missing, corrupt or
foreign file only costs the calls it would have saved; a write is atomic.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from synth_lsp.core.atomic_file import write_atomically
from synth_lsp.core.task import POPULATION_SUFFIX, TaskError, read_regular_text

log = logging.getLogger(__name__)

EMBEDDINGS_SUFFIX = ".synth.embeddings.json"
MAX_VECTORS = 2000  # the newest are kept: a population is far smaller
DIGITS = 7  # significant digits stored: cosine distances move by less than 1e-6
MAX_CACHE_MB = 64.0  # 2000 vectors of 3072 floats at 7 digits is about 60 MB


def embeddings_path_for(population_path: Path) -> Path:
    name = population_path.name
    stem = name[: -len(POPULATION_SUFFIX)] if name.endswith(POPULATION_SUFFIX) else population_path.stem
    return population_path.with_name(stem + EMBEDDINGS_SUFFIX)


@dataclass
class EmbeddingStore:
    path: Path
    model: str

    def load(self) -> dict[str, list[float]]:
        if not self.path.exists():
            return {}
        try:
            # a FIFO or a device in its place would block or never end a plain read
            data = json.loads(read_regular_text(self.path, MAX_CACHE_MB, "embeddings cache"))
        except (TaskError, ValueError) as exc:
            log.warning("ignoring the embeddings cache %s: %s", self.path, exc)
            return {}
        if not isinstance(data, dict) or data.get("model") != self.model or not isinstance(data.get("vectors"), dict):
            return {}  # another model's space, or not ours
        return {
            cid: [float(v) for v in vector]
            for cid, vector in data["vectors"].items()
            if isinstance(vector, list) and vector and all(isinstance(v, (int, float)) for v in vector)
        }

    def save(self, vectors: dict[str, list[float]]) -> None:
        newest = list(vectors.items())[-MAX_VECTORS:]
        payload = {
            "model": self.model,
            "note": "a cache of embeddings for novelty search; safe to delete",
            "vectors": {cid: [float(f"{v:.{DIGITS}g}") for v in vector] for cid, vector in newest},
        }
        if self.path.exists() and not self.path.is_file():
            log.warning("not writing the embeddings cache %s: something other than a plain file is there", self.path)
            return
        try:
            write_atomically(self.path, json.dumps(payload, separators=(",", ":")))
        except OSError as exc:
            log.warning("could not write the embeddings cache %s: %s", self.path, exc)
