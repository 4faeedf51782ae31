"""The quick fix itself (`optimizer.quick_fix`), in process: the real sandbox, the real litellm HTTP
path against the local scripted OpenAI-compatible server, the real offline model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from server_client import EXAMPLES, REPO
from solutions import FRACTAL_007BBFB7, IDENTITY

from synth_lsp.core.task import load_task_for_script
from synth_lsp.optimizer.omega import EvolveConfig
from synth_lsp.optimizer.quick_fix import QuickFixError, quick_fix

pytestmark = pytest.mark.usefixtures("litellm_loaded")
HEADER = "# synth: time_limit = 1.5\n"


def script(tmp_path: Path, text: str, task: str = "007bbfb7") -> Path:
    shutil.copy(EXAMPLES / f"{task}.json", tmp_path / f"{task}.json")
    path = tmp_path / f"{task}.synth.py"
    path.write_text(text)
    return path


def model_config(fake_openai, **extra) -> EvolveConfig:
    return EvolveConfig(model="openai/scripted", api_base=fake_openai.api_base, time_limit_s=1.5, retry_base_delay_s=0, **extra)


async def run(path: Path, config: EvolveConfig, sandbox, steps: list[str] | None = None):
    text = path.read_text()
    return await quick_fix(load_task_for_script(path, text), path, text, config, on_step=steps.append if steps is not None else None, sandbox=sandbox)


async def test_a_search_replace_edit_is_applied_to_the_current_text_under_its_header(fake_openai, sandbox, tmp_path: Path):
    path = script(tmp_path, HEADER + "# my comment\n" + IDENTITY)
    body = FRACTAL_007BBFB7.replace('result = {"output_grid": transform(inputs["input_grid"])}\n', "")
    edit = f"<<<<<<< SEARCH\n{IDENTITY.rstrip()}\n=======\n{body}result = {{\"output_grid\": transform(inputs['input_grid'])}}\n>>>>>>> REPLACE\n"
    fake_openai.reply(edit)
    steps: list[str] = []
    fix = await run(path, model_config(fake_openai, edit_mode="diff"), sandbox, steps)
    assert fix.train_passed == fix.train_total == 5 and fix.current_passed == 0 and fix.model == "openai/scripted"
    assert fix.script.startswith(HEADER + "# my comment\n") and "def transform" in fix.script
    assert steps == ["scoring the current script", "asking openai/scripted", "scoring the fix"]
    assert path.read_text() == HEADER + "# my comment\n" + IDENTITY  # the file is never written
    stored = json.loads(path.with_name("007bbfb7.synth.population.json").read_text())
    origins = sorted(c["origin"] for c in stored["candidates"])
    assert origins == ["quickfix", "seed"]
    assert stored["totals"]["calls"] == 1 and stored["runs"][-1]["origin"] == "quickfix"


async def test_a_reply_that_changes_nothing_is_refused(fake_openai, sandbox, tmp_path: Path):
    path = script(tmp_path, IDENTITY)
    fake_openai.reply(f"```python\n{IDENTITY}```")
    with pytest.raises(QuickFixError, match="unchanged"):
        await run(path, model_config(fake_openai), sandbox)


async def test_a_truncated_reply_is_not_a_fix(fake_openai, sandbox, tmp_path: Path):
    path = script(tmp_path, IDENTITY)
    fake_openai.reply(f"```python\n{FRACTAL_007BBFB7}```", finish_reason="length")
    with pytest.raises(QuickFixError, match="no usable fix"):
        await run(path, model_config(fake_openai), sandbox)


async def test_the_offline_model_cannot_fix_a_task_that_is_not_about_grids(sandbox, tmp_path: Path):
    shutil.copy(REPO / "examples" / "generic" / "word_stats.json", tmp_path / "word_stats.json")
    path = tmp_path / "word_stats.synth.py"
    path.write_text('result = {"words": 0}\n')
    with pytest.raises(QuickFixError, match="only solves ARC-style grid tasks"):
        await run(path, EvolveConfig(), sandbox)
    assert not path.with_name("word_stats.synth.population.json").exists()
