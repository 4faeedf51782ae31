"""Tokens of one mutation prompt, against the same information rendered as Python reprs.

For three ARC tasks of different grid sizes and two parents (the identity seed, and a script that
turns the grid upside down), each scored in the sandbox.
Ours: `prompts.mutation_messages` (compact grids, one row of digits per line; the parent's
prediction with its differing cells). Baseline: the same instructions, walls, script and reward,
then per train pair the reprs of the input dict, the predicted result dict (with stdout and stderr)
and the truth dict, which is how Synalinks renders a mutation's evidence. The input dict is shown
as the script receives it (with the leave-one-out `examples`) and, for a stricter comparison,
without them.

Tokens are counted with litellm's offline tokenizer for gpt-4o (o200k_base).

    python bench/prompt_size.py

Target: ours <= 1/3 of the repr rendering.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from synth_lsp.optimizer.llm import prompts  # noqa: E402
from synth_lsp.optimizer.candidate import Candidate, new_candidate, score_candidate  # noqa: E402
from synth_lsp.core.runs import RunLimits  # noqa: E402
from synth_lsp.sandbox.runner import Sandbox  # noqa: E402
from synth_lsp.core.task import Task, load_task  # noqa: E402
from synth_lsp.sandbox.walls import get_walls  # noqa: E402

ARC = Path(__file__).resolve().parents[2] / "shared" / "arc" / "ARC-AGI-1" / "training"  # ../shared beside the clone
TASKS = {
    "007bbfb7": ROOT / "examples" / "arc" / "007bbfb7.json",  # 3x3 -> 9x9
    "a1570a43": ARC / "a1570a43.json",  # 7x7 to 9x9
    "3631a71a": ARC / "3631a71a.json",  # 30x30
}
PARENTS = {
    "identity seed": (ROOT / "examples" / "arc" / "007bbfb7.synth.py").read_text(),
    # a wrong answer the prompt cannot shorten to "the input, unchanged"
    "upside down": "result = {'output_grid': [row[:] for row in inputs['input_grid'][::-1]]}\n",
}


def repr_messages(task: Task, parent: Candidate, walls: str, with_examples: bool) -> list[dict[str, str]]:
    """The same evidence as Python reprs of the input, prediction and truth dicts."""
    parts = [
        "## Task\n" + task.instructions,
        f"## The current script (reward {parent.train_reward:.2f})\n```python\n{parent.script}```",
    ]
    results = {r.index: r for r in parent.train_results()}
    for pair in task.train:
        result = results[pair.index]
        inputs = pair.inputs if with_examples else {"input_grid": pair.inputs["input_grid"]}
        predicted = {**(result.output or task.default_result), "stdout": result.stdout, "stderr": result.stderr}
        parts.append(f"inputs: {inputs!r}\npredicted: {predicted!r}\nground truth: {pair.expected!r}")
    parts.append("## Your job\nImprove the current script so that more pairs pass. Reply with the complete new script.")
    return [prompts.system_message(walls), {"role": "user", "content": "\n\n".join(parts)}]


def count(messages: list[dict[str, str]]) -> int:
    from synth_lsp.optimizer.llm.language_model import import_litellm

    return import_litellm().token_counter(model="gpt-4o", messages=messages)


def grid_sizes(task: Task) -> str:
    shapes = sorted({(len(p.inputs["input_grid"]), len(p.inputs["input_grid"][0])) for p in task.train})
    return ", ".join(f"{h}x{w}" for h, w in shapes)


def main() -> None:
    os.environ["LITELLM_OFFLINE_MODE"] = "true"
    print("| task | input grids | train pairs | parent | ours (tokens) | reprs with examples | ratio | reprs without examples | ratio |")
    print("|---|---|---|---|---|---|---|---|---|")
    with Sandbox(processes=2) as sandbox:
        walls = get_walls(sandbox).describe()
        for name, path in TASKS.items():
            task = load_task(path)
            for label, script in PARENTS.items():
                parent = score_candidate(new_candidate(script, "seed"), task, sandbox, RunLimits(time_s=2))
                ours = count(prompts.mutation_messages(task, parent, walls))
                full = count(repr_messages(task, parent, walls, with_examples=True))
                lean = count(repr_messages(task, parent, walls, with_examples=False))
                print(f"| {name} | {grid_sizes(task)} | {len(task.train)} | {label} | {ours} | {full} | {ours / full:.2f} | {lean} | {ours / lean:.2f} |")


if __name__ == "__main__":
    main()
