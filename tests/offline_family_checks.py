"""Shared checks for the tests of the offline model's families: a step gives the same grid in the
Monty sandbox as on the host, and the search finds a family's rule from handmade pairs."""

from __future__ import annotations

from synth_lsp.core.runs import RunLimits
from synth_lsp.offline import synthesize
from synth_lsp.offline.emit import emit_script
from synth_lsp.offline.primitives import FUNCTIONS
from synth_lsp.offline.steps import Step


def same_in_sandbox(sandbox, steps: list[Step], grids: list) -> None:
    """Every step on every grid: the emitted script's output in the sandbox is the host's (the
    primitive's own result: the search's size filter in `Step.apply` is no part of the script)."""
    for step in steps:
        script = emit_script((step,), 1, 1)
        for grid in grids:
            want = FUNCTIONS[step.function](grid, *step.args)
            run = sandbox.run(
                script, {"input_grid": grid}, RunLimits(time_s=10, memory_mb=256)
            )
            if want is None:
                assert not run.ok, (
                    step,
                    grid,
                )  # the script says the step does not apply
            else:
                assert run.ok, (step, run.error)
                assert run.result == {"output_grid": want}, (step, grid)


def search_finds(sandbox, train, test_input, test_output, budget_s: float = 4.0):
    """The search's first program on `train`: it fits every pair, and its script, run in the
    sandbox, gets the held-back pair right."""
    programs = synthesize(train, time_budget_s=budget_s, max_programs=1)
    assert programs and programs[0].fits, programs
    best = programs[0]
    run = sandbox.run(
        best.script, {"input_grid": test_input}, RunLimits(time_s=10, memory_mb=256)
    )
    assert run.ok, run.error
    assert run.result == {"output_grid": test_output}, best.description
    return best
