"""Issue 16, the walls probe: a probe that fails for another reason than the wall (a checkout
timeout, a crashed worker) is tried again, and what stays unknown is probed again later instead
of being taken as "not supported" for the life of the process."""

from __future__ import annotations

from typing import Any


from synth_lsp.sandbox import walls as walls_mod
from synth_lsp.sandbox.runner import Sandbox


class Flaky:
    """The real sandbox, except that the probes in `failures` fail like a busy pool, that many times."""

    def __init__(self, sandbox: Sandbox, failures: dict[str, int]):
        self.sandbox = sandbox
        self.failures = dict(failures)
        self.calls: list[str] = []

    def execute(self, code: str) -> Any:
        self.calls.append(code)
        if self.failures.get(code, 0) > 0:
            self.failures[code] -= 1
            raise TimeoutError("timed out waiting for a free worker")
        return self.sandbox.execute(code)



def test_a_transient_failure_is_retried(sandbox: Sandbox, monkeypatch):
    monkeypatch.setattr(walls_mod, "PROBE_BACKOFF_S", (0.01, 0.01))
    flaky = Flaky(sandbox, {"import math": 2, "import heapq": 1})
    walls = walls_mod.probe_walls(flaky)
    assert "math" in walls.importable and "heapq" in walls.missing and walls.unknown == []
    assert flaky.calls.count("import math") == 3


def test_what_stays_unknown_is_not_a_wall_and_is_probed_again(sandbox: Sandbox, monkeypatch):
    monkeypatch.setattr(walls_mod, "PROBE_BACKOFF_S", (0.01, 0.01))
    monkeypatch.setattr(walls_mod, "REPROBE_AFTER_S", 0.0)
    monkeypatch.setattr(walls_mod, "_walls", None)
    flaky = Flaky(sandbox, {"import math": 99})
    first = walls_mod.get_walls(flaky)
    assert "math" in first.unknown and "math" not in first.missing
    assert first.can_import("math")  # unknown: the run will say, the static check does not refuse it
    flaky.failures.clear()  # the pool is free again
    second = walls_mod.get_walls(flaky)
    assert "math" in second.importable and second.unknown == []
    monkeypatch.setattr(walls_mod, "_walls", None)
