"""The quick-fix worker: one OS process per "Fix with <model>", so the model call and the sandbox
scoring never run in the language server, and cancelling is a kill.

    python -m synth_lsp.workers.quick_fix_worker [--warm-litellm]

It warms up first (the optimizer, the sandbox and its walls probe, and litellm with
`--warm-litellm`), then waits for its job: a driver may start one ahead of time, so a fix the user
picks starts warm. The messages are in `quick_fix_protocol.py`. It never outlives its driver (a
parent-death signal; the end of its input ends it too). API keys come from the environment.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading

from synth_lsp.workers.evolution_worker import _Channel
from synth_lsp.workers.protocol import ErrorEvent, Job, ProtocolError
from synth_lsp.workers.quick_fix_protocol import FixedEvent, StepEvent

WARM_LITELLM = "--warm-litellm"


def _warm_up(litellm: bool) -> None:
    from synth_lsp.optimizer import quick_fix  # noqa: F401 (the import is the warm-up)
    from synth_lsp.sandbox.runner import get_sandbox
    from synth_lsp.sandbox.walls import get_walls

    get_walls(get_sandbox())
    if litellm:
        from synth_lsp.optimizer.llm.litellm_import import import_litellm

        import_litellm()


def _exit_at_end_of_input() -> None:
    for _ in sys.stdin:
        pass
    os._exit(0)  # the driver closed the pipe or is gone: nothing will read the fix


def main(argv: list[str] | None = None) -> int:
    from synth_lsp.sandbox.child_lifetime import die_with_parent

    die_with_parent()
    channel = _Channel()
    _warm_up(WARM_LITELLM in (argv if argv is not None else sys.argv[1:]))
    try:
        job = Job.decode(sys.stdin.readline())
    except ProtocolError as exc:
        channel.send(ErrorEvent(str(exc)))
        return 2
    threading.Thread(target=_exit_at_end_of_input, daemon=True, name="stdin").start()

    from synth_lsp.core.task import MAX_EXAMPLES_MB, TaskError, load_task_for_script
    from synth_lsp.optimizer.omega import EvolveConfig
    from synth_lsp.optimizer.quick_fix import QuickFixError, quick_fix

    try:
        config = EvolveConfig.from_settings(job.settings)
        task = load_task_for_script(job.script, job.text, job.settings.get("examplesMaxMb") or MAX_EXAMPLES_MB)
        if job.text is None:
            raise ValueError("the quick fix needs the editor's text")
    except (TaskError, OSError, ValueError) as exc:
        channel.send(ErrorEvent(str(exc)))
        return 2
    try:
        fix = asyncio.run(quick_fix(task, job.script, job.text, config, on_step=lambda message: channel.send(StepEvent(message))))
    except QuickFixError as exc:
        channel.send(ErrorEvent(str(exc)))
        return 1
    channel.send(FixedEvent(**fix.to_dict()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
