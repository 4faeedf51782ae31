"""OMEGA, the evolutionary optimizer: a population of scripts, language-model and offline mutation
sources, Dominated Novelty Search survival, stored beside the script. The language-model side is
the `llm` subpackage. It may import the offline model, the sandbox and the core; no LSP here.

Names are resolved lazily (PEP 562), so `synth_lsp.optimizer.population` can be imported without
the loop and its config model; litellm is imported only when a model is really called.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Candidate": "candidate",
    "PairResult": "candidate",
    "candidate_id": "candidate",
    "EvolveConfig": "omega",
    "EvolveError": "omega",
    "EvolveResult": "omega",
    "Progress": "omega",
    "evolve": "omega",
    "run_evolve": "omega",
    "Population": "population",
    "PopulationError": "population",
    "population_path_for": "population",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'synth_lsp.optimizer' has no attribute {name!r}")
    return getattr(importlib.import_module(f"synth_lsp.optimizer.{module}"), name)
