"""The `synthLsp` settings section (see docs/protocol.md), read leniently from any client.

A client may send the section itself, or an object holding it under `synthLsp`. Unknown keys are
ignored and a bad value keeps the previous one, with a problem message the server shows once.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal

from synth_lsp.core.runs import RunLimits

SECTION = "synthLsp"
RunTrigger = Literal["save", "change"]


@dataclass(frozen=True)
class Budget:
    max_calls: int | None = None
    max_tokens: int | None = None
    max_cost_usd: float | None = None


@dataclass(frozen=True)
class Settings:
    time_limit: float = 2.0
    memory_limit_mb: float = 256.0
    run_trigger: RunTrigger = "save"
    debounce_ms: float = 400.0
    model: str = ""
    embedding_model: str = ""
    api_base: str = ""
    population_size: int = 8
    generations: int = 10
    patience: int = 2
    budget: Budget = field(default_factory=Budget)
    auto_evolve: bool = False
    use_offline: bool | None = None  # None: the offline model only when no model is set; True: also beside it

    def run_limits(self) -> RunLimits:
        return RunLimits(time_s=self.time_limit, memory_mb=self.memory_limit_mb)


@dataclass(frozen=True)
class ClientFeatures:
    """Opt-in extensions (initializationOptions.clientFeatures)."""

    run_result: bool = False
    evolution_status: bool = False


# wire key -> (field name, check); a check returns the value to store or raises ValueError
def _positive(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ValueError("must be a positive number")
    return float(value)


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError("must be a whole number >= 0")
    return value


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


def _budget(value: Any) -> Budget:
    if not isinstance(value, dict):
        raise ValueError("must be an object {maxCalls, maxTokens, maxCostUsd}")
    out = {}
    for key, name in (("maxCalls", "max_calls"), ("maxTokens", "max_tokens"), ("maxCostUsd", "max_cost_usd")):
        item = value.get(key)
        if item is not None:
            out[name] = _count(item) if name != "max_cost_usd" else _positive(item)
    return Budget(**out)


_KEYS = {
    "timeLimit": ("time_limit", _positive),
    "memoryLimitMb": ("memory_limit_mb", _positive),
    "runTrigger": ("run_trigger", _trigger),
    "debounceMs": ("debounce_ms", lambda v: 0.0 if v == 0 else _positive(v)),
    "model": ("model", _text),
    "embeddingModel": ("embedding_model", _text),
    "apiBase": ("api_base", _text),
    "populationSize": ("population_size", _count),
    "generations": ("generations", _count),
    "patience": ("patience", _count),
    "budget": ("budget", _budget),
    "autoEvolve": ("auto_evolve", _flag),
    "useOffline": ("use_offline", _flag),
}
assert {name for name, _ in _KEYS.values()} == {f.name for f in fields(Settings)}


def to_wire(settings: Settings) -> dict[str, Any]:
    """The settings as a `synthLsp` section again (camelCase keys), e.g. for an evolution worker."""
    out: dict[str, Any] = {}
    for key, (name, _) in _KEYS.items():
        value = getattr(settings, name)
        if isinstance(value, Budget):
            pairs = (("maxCalls", value.max_calls), ("maxTokens", value.max_tokens), ("maxCostUsd", value.max_cost_usd))
            value = {k: v for k, v in pairs if v is not None}
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
