"""The seed system's side of `omega_eval.py`: Synalinks' PythonSynthesis (0.8.38, the last release
on the in-process Monty 0.0.18), scoring one candidate script on a task's pairs the way Synalinks
runs them, one `await program(x)` after another.

Runs under the Synalinks virtualenv's interpreter (never under synth-lsp's: the two pydantic-monty
versions cannot share one), as a long-lived child of `omega_eval.py`: one JSON request a line on
stdin, `{"task": path, "script": text, "repeats": n}`, one JSON answer a line on stdout,
`{"ms": [wall, per repeat], "cpu_ms": [CPU, per repeat], "rewards": [1/0 per pair]}`. The pairs are built like synth-lsp's: each
train pair with the other train pairs as its examples, each test pair with every train pair.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

import synalinks
from synalinks.src.datasets.built_in.arcagi import (
    get_input_data_model,
    get_output_data_model,
)

DEFAULT = 'result = {"output_grid": inputs.get("input_grid")}\n'


def pairs_of(task: dict) -> list[tuple[object, list]]:
    """(Synalinks input, expected grid) for the train pairs, then the test pairs."""
    model = get_input_data_model()
    train = task["train"]

    def examples(skip: int | None) -> list[dict]:
        return [{"input_grid": p["input"], "output_grid": p["output"]} for j, p in enumerate(train) if j != skip]

    out = [(model(examples=examples(i), input_grid=p["input"]), p["output"]) for i, p in enumerate(train)]
    out += [(model(examples=examples(None), input_grid=p["input"]), p.get("output")) for p in task["test"]]
    return out


async def build_program() -> tuple[object, object]:
    inputs = synalinks.Input(data_model=get_input_data_model())
    module = synalinks.PythonSynthesis(
        data_model=get_output_data_model(),
        python_script=DEFAULT,
        default_return_value={"output_grid": [[0]]},
        timeout=5,
    )
    outputs = await module(inputs)
    program = synalinks.Program(
        inputs=inputs, outputs=outputs, name="seed", description="the seed system's scoring path"
    )
    return program, module


async def serve() -> None:
    program, module = await build_program()
    tasks: dict[str, list] = {}
    for line in sys.stdin:
        request = json.loads(line)
        if request["task"] not in tasks:
            tasks[request["task"]] = pairs_of(json.loads(Path(request["task"]).read_text()))
        pairs = tasks[request["task"]]
        module.state.update({"python_script": request["script"]})  # how its optimizer swaps candidates
        times, cpu, rewards = [], [], []
        for _ in range(request["repeats"]):
            started, cpu_started = time.perf_counter(), time.process_time()
            outputs = [await program(x) for x, _ in pairs]
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)  # Monty 0.0.18 runs in this process
            rewards = [int(o is not None and o.get("output_grid") == want) for o, (_, want) in zip(outputs, pairs)]
        print(json.dumps({"ms": times, "cpu_ms": cpu, "rewards": rewards}), flush=True)


if __name__ == "__main__":
    asyncio.run(serve())
