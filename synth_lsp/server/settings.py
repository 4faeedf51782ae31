"""The `synthLsp` settings section (see docs/protocol.md), read leniently from any client.

A client may send the section itself, or an object holding it under `synthLsp`. Unknown keys are
ignored and a bad value keeps the previous one, with a problem message the server shows once.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any, Callable, Literal

from synth_lsp.core.runs import MAX_MEMORY_MB, MAX_TIME_S, RunLimits, range_problem
from synth_lsp.core.task import MAX_EXAMPLES_MB, MAX_EXAMPLES_MB_RANGE

SECTION = "synthLsp"
RunTrigger = Literal["save", "change"]


@dataclass(frozen=True)
class Budget:
    max_calls: int | None = None
    max_tokens: int | None = None
    max_cost_usd: float | None = None
    max_cost_total_usd: float | None = None  # over every run of the population


@dataclass(frozen=True)
class Settings:
    time_limit: float = 2.0
    memory_limit_mb: float = 256.0
    run_trigger: RunTrigger = "save"
    debounce_ms: float = 400.0
    model: str = ""
    models: tuple[str, ...] = ()  # more models beside `model`: a bandit picks one per call
    edit_mode: str = "auto"  # what a mutation's reply may be: "full" scripts, "diff" edits, or either
    price_per_mtok: tuple[float, float] | None = None  # USD per million prompt and completion tokens
    embedding_model: str = ""
    api_base: str = ""
    population_size: int = 8
    generations: int = 10
    patience: int = 2
    budget: Budget = field(default_factory=Budget)
    auto_evolve: bool = False
    max_evolution_workers: int = 2  # evolution workers running at once; more starts wait, shown as queued
    keep_evolving_when_closed: bool = False  # closing a script stops its worker unless this is set
    use_offline: bool | None = None  # None: the offline model only when no model is set; True: also beside it
    examples_max_mb: float = MAX_EXAMPLES_MB  # an examples file larger than this is refused, not read
    inline_values: bool = True  # values of the script on one pair, as inlay hints and hovers
    workspace_diagnostics: bool = False  # run every script of the workspace once, at low priority

    def run_limits(self) -> RunLimits:
        return RunLimits(time_s=self.time_limit, memory_mb=self.memory_limit_mb)


@dataclass(frozen=True)
class ClientFeatures:
    """Opt-in extensions (initializationOptions.clientFeatures)."""

    run_result: bool = False
    evolution_status: bool = False


# wire key -> (field name, check); a check returns the value to store or raises ValueError naming
# the allowed range
def _number(low: float, high: float, low_inclusive: bool = False) -> Callable[[Any], float]:
    def check(value: Any) -> float:
        problem = range_problem(value, low, high, low_inclusive=low_inclusive)
        if problem:
            raise ValueError(problem)
        return float(value)

    return check


def _whole(low: int, high: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        problem = range_problem(value, low, high, whole=True, low_inclusive=True)
        if problem:
            raise ValueError(problem)
        return value

    return check


_positive = _number(0, 1e9)  # money: any finite positive amount
_count = _whole(0, 10**9)
MAX_DEBOUNCE_MS = 60_000.0
MAX_POPULATION = 10_000
MAX_GENERATIONS = 1_000_000


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("must be a string")
    return value


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _trigger(value: Any) -> str:
    if value not in ("save", "change"):
        raise ValueError('must be "save" or "change"')
    return value


_BUDGET_KEYS = (("maxCalls", "max_calls"), ("maxTokens", "max_tokens"), ("maxCostUsd", "max_cost_usd"), ("maxCostTotalUsd", "max_cost_total_usd"))


def _budget(value: Any) -> Budget:
    if not isinstance(value, dict):
        raise ValueError("must be an object {maxCalls, maxTokens, maxCostUsd, maxCostTotalUsd}")
    out = {}
    for key, name in _BUDGET_KEYS:
        item = value.get(key)
        if item is not None:
            out[name] = _count(item) if name in ("max_calls", "max_tokens") else _positive(item)
    return Budget(**out)


def _models(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise ValueError("must be a list of litellm model names")
    return tuple(value)


def _edit_mode(value: Any) -> str:
    if value not in ("full", "diff", "auto"):
        raise ValueError('must be "full", "diff" or "auto"')
    return value


def _price(value: Any) -> tuple[float, float]:
    if not isinstance(value, list) or len(value) != 2:
        raise ValueError("must be [USD per million prompt tokens, USD per million completion tokens]")
    return (_price_part(value[0]), _price_part(value[1]))


_price_part = _number(0, 1e6, low_inclusive=True)


def _inline_values(value: Any) -> bool:
    # VS Code sends `synthLsp.inlineValues.enabled` as {"enabled": ...}
    if isinstance(value, dict) and set(value) <= {"enabled"}:
        return _flag(value.get("enabled", True))
    if isinstance(value, bool):
        return value
    raise ValueError('must be {"enabled": true|false}')


_KEYS = {
    "timeLimit": ("time_limit", _number(0, MAX_TIME_S)),
    "memoryLimitMb": ("memory_limit_mb", _number(0, MAX_MEMORY_MB)),
    "runTrigger": ("run_trigger", _trigger),
    "debounceMs": ("debounce_ms", _number(0, MAX_DEBOUNCE_MS, low_inclusive=True)),
    "model": ("model", _text),
    "models": ("models", _models),
    "editMode": ("edit_mode", _edit_mode),
    "pricePerMtok": ("price_per_mtok", _price),
    "embeddingModel": ("embedding_model", _text),
    "apiBase": ("api_base", _text),
    "populationSize": ("population_size", _whole(1, MAX_POPULATION)),
    "generations": ("generations", _whole(0, MAX_GENERATIONS)),
    "patience": ("patience", _whole(0, MAX_GENERATIONS)),
    "budget": ("budget", _budget),
    "autoEvolve": ("auto_evolve", _flag),
    "maxEvolutionWorkers": ("max_evolution_workers", _whole(1, 64)),
    "keepEvolvingWhenClosed": ("keep_evolving_when_closed", _flag),
    "useOffline": ("use_offline", _flag),
    "examplesMaxMb": ("examples_max_mb", _number(*MAX_EXAMPLES_MB_RANGE, low_inclusive=True)),
    "inlineValues": ("inline_values", _inline_values),
    "workspaceDiagnostics": ("workspace_diagnostics", _flag),
}
assert {name for name, _ in _KEYS.values()} == {f.name for f in fields(Settings)}


def to_wire(settings: Settings) -> dict[str, Any]:
    """The settings as a `synthLsp` section again (camelCase keys), e.g. for an evolution worker."""
    out: dict[str, Any] = {}
    for key, (name, _) in _KEYS.items():
        value = getattr(settings, name)
        if isinstance(value, Budget):
            caps = value
            value = {wire: getattr(caps, cap) for wire, cap in _BUDGET_KEYS if getattr(caps, cap) is not None}
        elif isinstance(value, tuple):
            value = list(value)
        out[key] = value
    return out


def section_of(payload: Any) -> dict[str, Any] | None:
    """The `synthLsp` object inside whatever a client sent (or None when there is none)."""
    if not isinstance(payload, dict):
        return None
    inner = payload.get(SECTION)
    if isinstance(inner, dict):
        return inner
    inner = payload.get("settings")
    if isinstance(inner, dict):
        return section_of(inner) if SECTION in inner else inner
    return payload if any(key in _KEYS for key in payload) else None


def merge(base: Settings, payload: Any) -> tuple[Settings, list[str]]:
    """`base` updated with the keys present in `payload`; problems name the rejected keys."""
    section = section_of(payload)
    if section is None:
        return base, []
    changes: dict[str, Any] = {}
    problems: list[str] = []
    for key, value in section.items():
        if key not in _KEYS or value is None:
            continue
        name, check = _KEYS[key]
        try:
            changes[name] = check(value)
        except ValueError as exc:
            problems.append(f"{SECTION}.{key} {exc} (got {value!r}); keeping {getattr(base, name)!r}")
    return (replace(base, **changes) if changes else base), problems


def client_features(init_options: Any) -> ClientFeatures:
    features = init_options.get("clientFeatures") if isinstance(init_options, dict) else None
    if not isinstance(features, dict):
        return ClientFeatures()
    return ClientFeatures(
        run_result=features.get("runResult") is True,
        evolution_status=features.get("evolutionStatus") is True,
    )
