"""OMEGA, the evolutionary optimizer: a population of scripts, language-model and offline mutation
sources, Dominated Novelty Search survival, stored beside the script. No LSP here.

litellm is imported only when a model is called; importing this package stays light.
"""

from synth_lsp.optimizer.candidate import Candidate, PairResult, candidate_id
from synth_lsp.optimizer.omega import EvolveConfig, EvolveError, EvolveResult, Progress, evolve, run_evolve
from synth_lsp.optimizer.population import Population, PopulationError, population_path_for

__all__ = [
    "Candidate",
    "PairResult",
    "candidate_id",
    "EvolveConfig",
    "EvolveError",
    "EvolveResult",
    "Progress",
    "evolve",
    "run_evolve",
    "Population",
    "PopulationError",
    "population_path_for",
]
