"""What the server knows of one script's evolution: its worker, last status and progress token."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from synth_lsp.workers.evolution_process import EvolutionStatus, EvolutionWorker


@dataclass
class ScriptEvolution:
    uri: str
    path: Path
    worker: EvolutionWorker | None = None
    status: EvolutionStatus | None = None
    progress_token: str | None = None
    announced: set[str] = field(default_factory=set)  # best candidates the user was told about
    last_saved_id: str | None = None  # the candidate id of the last saved text
    saved_version: int | None = None  # a saved version whose run is awaited
