"""Inline values over real stdio with the real sandbox: inlay hints at assignment, `for` and
`return` lines on a chosen pair, the hover on a name, the lens row that switches the pair, the
instrumented run's caps, and scripts that get no values (with the reason in the client's log)."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient
from server_client import (
    CONFIG,
    change_doc,
    diagnostics_for_version,
    new_workspace,
    open_doc,
    uri_of,
)
from solutions import FRACTAL_007BBFB7

from synth_lsp.core.render import colour_name, render_grid

TASK = json.loads((Path(__file__).resolve().parents[1] / "examples" / "arc" / "007bbfb7.json").read_text())
WAIT_S = 60.0
# the fractal with one cell wrong: the copied colour is always 1 (blue)
WRONG_COLOUR = FRACTAL_007BBFB7.replace("= grid[r][c]", "= 1")
# right cells, wrong shape: the output is the 3x3 layout only
WRONG_SHAPE = """def transform(grid):
    n = len(grid)
    small = [[1 if grid[R][C] else 0 for C in range(n)] for R in range(n)]
    return small


result = {"output_grid": transform(inputs["input_grid"])}
"""


@pytest_lsp.fixture(config=CONFIG)
async def client(lsp_client: LanguageClient):
    capabilities = pytest_lsp.client_capabilities("visual-studio-code")
    # the recorded VS Code profile predates inlay hints: add what VS Code advertises today
    capabilities.workspace.inlay_hint = types.InlayHintWorkspaceClientCapabilities(refresh_support=True)
    capabilities.text_document.inlay_hint = types.InlayHintClientCapabilities()
    params = types.InitializeParams(
        capabilities=capabilities,
        initialization_options={"settings": {"runTrigger": "change", "debounceMs": 50}},
    )
    await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()


def script_in(root: Path, text: str) -> tuple[Path, str]:
    new_workspace(root)
    path = root / "007bbfb7.synth.py"
    path.write_text(text)
    return path, uri_of(path)


def line_of(text: str, needle: str) -> int:
    """0-based line of the first line containing `needle`."""
    return next(i for i, line in enumerate(text.splitlines()) if needle in line)


async def hints_of(client: LanguageClient, uri: str, lines: int = 200) -> list[types.InlayHint]:
    rng = types.Range(types.Position(0, 0), types.Position(lines, 0))
    return await client.text_document_inlay_hint_async(types.InlayHintParams(types.TextDocumentIdentifier(uri), rng)) or []


async def wait_hints(client: LanguageClient, uri: str, predicate, timeout: float = WAIT_S) -> dict[int, str]:
    """Value hints by 0-based line (not the mismatch notes), once `predicate` holds for them."""
    deadline = time.monotonic() + timeout
    while True:
        found = {h.position.line: h.label for h in await hints_of(client, uri) if not h.label.startswith("◀")}
        if predicate(found):
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"hints never matched; last: {found}")
        await asyncio.sleep(0.05)


async def wait_notes(client: LanguageClient, uri: str, predicate=lambda notes: True, timeout: float = WAIT_S) -> dict[int, list[str]]:
    """The mismatch notes (hints of their own, starting with ◀) by 0-based line, once there are some."""
    deadline = time.monotonic() + timeout
    while True:
        notes: dict[int, list[str]] = {}
        for hint in await hints_of(client, uri):
            if hint.label.startswith("◀"):
                notes.setdefault(hint.position.line, []).append(hint.label)
        if notes and predicate(notes):
            return notes
        if time.monotonic() > deadline:
            raise AssertionError(f"no mismatch notes; last: {notes}")
        await asyncio.sleep(0.05)


async def wait_log(client: LanguageClient, words: str, timeout: float = WAIT_S) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in client.log_messages:
            if words in message.message:
                return message.message
        await asyncio.sleep(0.05)
    raise AssertionError(f"no log message with {words!r}; saw {[m.message for m in client.log_messages]}")


async def hover_at(client: LanguageClient, uri: str, line: int, character: int) -> str:
    found = await client.text_document_hover_async(types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(line, character)))
    assert found is not None
    return found.contents.value


async def show_pair(client: LanguageClient, uri: str, split: str, index: int):
    return await client.workspace_execute_command_async(types.ExecuteCommandParams(command="synthLsp.values.showPair", arguments=[uri, split, index]))


def colours(grid: list[list[int]]) -> str:
    return ", ".join(colour_name(c) for c in sorted({c for row in grid for c in row}))


def filled(grid: list[list[int]]) -> int:
    return sum(1 for row in grid for c in row if c)


async def test_hints_on_loop_and_grid_lines_then_another_pair(client: LanguageClient, tmp_path: Path):
    text = FRACTAL_007BBFB7
    _, uri = script_in(tmp_path, text)
    open_doc(client, uri, text)
    await diagnostics_for_version(client, uri, 1)
    pair = TASK["train"][0]  # every pair fits: the default is train 1
    grid, n = pair["input"], len(pair["input"])
    copy_line, loop_line, out_line, return_line = (line_of(text, s) for s in ("out[R * n + r]", "for C in", "out = [[0]", "return out"))
    found = await wait_hints(client, uri, lambda h: return_line in h)
    assert found[loop_line] == f"C = 0 ... {n - 1} (x{n * n})"  # the loop variable, first and last, times run
    assert found[out_line] == f"out = {n * n}x{n * n} grid: black"
    assert found[return_line] == f"-> {n * n}x{n * n} grid: {colours(pair['output'])}"
    assert found[copy_line].endswith(f"(x{filled(grid) * n * n})")  # the line ran once per copied cell
    assert client.inlay_hint_refreshes >= 1
    # the hover on `out` in the return line: the grid it returned, drawn
    value = await hover_at(client, uri, return_line, text.splitlines()[return_line].index("out") + 1)
    assert "**`out`** on train pair 1" in value and "\n".join(render_grid(pair["output"])) in value
    # the lens row names every pair, the shown one in brackets
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(types.TextDocumentIdentifier(uri)))
    titles = [lens.command.title for lens in lenses if lens.command.command == "synthLsp.values.showPair"]
    assert titles == ["values on: [train 1]", "2", "3", "4", "5", "test 1"]
    # switch to train 3: the values follow that pair
    other = TASK["train"][2]
    await show_pair(client, uri, "train", 2)
    expected = f"-> {n * n}x{n * n} grid: {colours(other['output'])}"
    found = await wait_hints(client, uri, lambda h: h.get(copy_line, "").endswith(f"(x{filled(other['input']) * n * n})") and h.get(return_line) == expected)
    value = await hover_at(client, uri, return_line, text.splitlines()[return_line].index("out") + 1)
    assert "train pair 3" in value and "\n".join(render_grid(other["output"])) in value
    # a pair that does not exist: the command is refused, nothing changes
    with pytest.raises(JsonRpcException, match="no train pair 10"):
        await show_pair(client, uri, "train", 9)
    # an edit moves every line down: the hints follow the new text's lines
    change_doc(client, uri, "\n" + text, 2)
    await diagnostics_for_version(client, uri, 2)
    found = await wait_hints(client, uri, lambda h: return_line + 1 in h)
    assert return_line not in found or not found[return_line].startswith("->")


async def test_a_mismatch_shows_where_the_output_went_wrong(client: LanguageClient, tmp_path: Path):
    _, uri = script_in(tmp_path, WRONG_SHAPE)
    open_doc(client, uri, WRONG_SHAPE)
    await diagnostics_for_version(client, uri, 1)
    small_line = line_of(WRONG_SHAPE, "small = ")
    n = len(TASK["train"][0]["input"])
    notes = await wait_notes(client, uri)
    assert notes == {small_line: [f"◀ output set here: shape {n}x{n}, expected {n * n}x{n * n}"]}, notes
    # the wrong colour: the copy line holds the output, and the cells differ
    change_doc(client, uri, WRONG_COLOUR, 2)
    await diagnostics_for_version(client, uri, 2)
    copy_line = line_of(WRONG_COLOUR, "out[R * n + r]")
    found = {line: " ".join(labels) for line, labels in (await wait_notes(client, uri, lambda h: copy_line in h)).items()}
    expected, grid = TASK["train"][0]["output"], TASK["train"][0]["input"]
    # what the script makes: 1 in every cell of a block whose input cell is filled
    actual = [[1 if grid[row // n][col // n] else 0 for col in range(n * n)] for row in range(n * n)]
    wrong = sum(1 for row in range(n * n) for col in range(n * n) if actual[row][col] != expected[row][col])
    assert f"{wrong} of {n**4} cells differ" in found[copy_line]


async def test_caps_on_long_loops_and_huge_values(client: LanguageClient, tmp_path: Path):
    text = (
        "# synth: time_limit = 30\n"
        "total = 0\n"
        "for i in range(10 ** 6):\n"
        "    total += i\n"
        "big = [[1] * 1000 for _ in range(1000)]\n"
        "squares = [k * k for k in range(10 ** 6)]\n"
        "words = 'ab' * 100000\n"
        'result = {"output_grid": [[total % 10]]}\n'
    )
    _, uri = script_in(tmp_path, text)
    open_doc(client, uri, text)
    await diagnostics_for_version(client, uri, 1)
    found = await wait_hints(client, uri, lambda h: 7 in h)
    assert found[2] == "i = 0 ... 999999 (x1000000)"
    assert found[3] == f"total = 0 ... {sum(range(10**6))} (x1000000)"
    assert found[4].startswith("big = 1000x1000 grid") and len(found[4]) < 60
    assert found[5].startswith("squares = [0, 1, 4, 9, 16,") and found[5].endswith("…")
    assert found[6].startswith("words = 'abab") and len(found[6]) < 60
    value = await hover_at(client, uri, 5, 2)
    assert len(value) < 5000 and "…" in value  # the value is cut for the hover too


async def test_scripts_the_rewrite_cannot_follow_get_no_values(client: LanguageClient, tmp_path: Path):
    rebinds = 'sum = 0\nfor row in inputs["input_grid"]:\n    sum += len(row)\nresult = {"output_grid": [[sum % 10]]}\n'
    _, uri = script_in(tmp_path, rebinds)
    open_doc(client, uri, rebinds)
    await diagnostics_for_version(client, uri, 1)
    await wait_log(client, "rebinds the built-in `sum`")
    assert await hints_of(client, uri) == []
    late_global = 'def f():\n    x = 1\n    global y\n    y = x\n\nf()\nresult = {"output_grid": [[y]]}\n'
    change_doc(client, uri, late_global, 2)
    await diagnostics_for_version(client, uri, 2)
    await wait_log(client, "`global`/`nonlocal` declaration below other statements")
    assert await hints_of(client, uri) == []
    recorder = '_synth_v_t = 1\nresult = {"output_grid": [[1]]}\n'
    change_doc(client, uri, recorder, 3)
    await diagnostics_for_version(client, uri, 3)
    await wait_log(client, "the recorder's name `_synth_v_t`")
    assert await hints_of(client, uri) == []
    # the recorder's own calls take a few frames: in a script that recurses to just below the
    # limit some records cannot be taken (the script runs as it would), and a partial trace is no trace
    deep = (
        "# synth: recursion_limit = 100\n"
        "def down(k):\n    if k == 0:\n        return [[1]]\n    g = down(k - 1)\n    return g\n\n"
        'result = {"output_grid": down(96)}\n'
    )
    change_doc(client, uri, deep, 4)
    assert not [d for d in await diagnostics_for_version(client, uri, 4) if d.code == "runtime"]  # the scored run is fine
    await wait_log(client, "could not be taken (near the recursion limit?)")
    assert await hints_of(client, uri) == []
    # a pair whose scored run hit the time limit is not run again for values
    change_doc(client, uri, "# synth: time_limit = 0.5\nwhile True:\n    pass\n", 5)
    await diagnostics_for_version(client, uri, 5)
    await wait_log(client, "failed (timeout): nothing to show")
    # and a plain script afterwards has values again
    change_doc(client, uri, 'x = 7\nresult = {"output_grid": [[x]]}\n', 6)
    found = await wait_hints(client, uri, lambda h: 0 in h)
    assert found[0] == "x = 7"


async def test_a_chosen_pair_that_disappears_falls_back_to_the_default(client: LanguageClient, tmp_path: Path):
    text = FRACTAL_007BBFB7
    _, uri = script_in(tmp_path, text)
    open_doc(client, uri, text)
    await diagnostics_for_version(client, uri, 1)
    return_line = line_of(text, "return out")
    await wait_hints(client, uri, lambda h: return_line in h)
    await show_pair(client, uri, "train", 4)
    last = TASK["train"][4]["output"]
    await wait_hints(client, uri, lambda h: h.get(return_line, "").endswith(colours(last)))
    # the examples change under the script: only two train pairs remain
    examples = tmp_path / "007bbfb7.json"
    data = dict(TASK, train=TASK["train"][:2])
    open_doc(client, uri_of(examples), examples.read_text(), language="json")
    change_doc(client, uri_of(examples), json.dumps(data), 2)
    await wait_log(client, "train pair 5 no longer exists")
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(types.TextDocumentIdentifier(uri)))
    titles = [lens.command.title for lens in lenses if lens.command.command == "synthLsp.values.showPair"]
    await wait_hints(client, uri, lambda h: return_line in h)
    assert titles[0].startswith("values on:") and len(titles) == 3


async def test_the_setting_turns_values_off(client: LanguageClient, tmp_path: Path):
    text = 'x = 7\nresult = {"output_grid": [[x]]}\n'
    _, uri = script_in(tmp_path, text)
    open_doc(client, uri, text)
    await wait_hints(client, uri, lambda h: 0 in h)
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={"synthLsp": {"inlineValues": {"enabled": False}}}))
    await wait_hints(client, uri, lambda h: not h)
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(types.TextDocumentIdentifier(uri)))
    assert all(lens.command.command != "synthLsp.values.showPair" for lens in lenses)


async def test_values_of_a_superseded_version_never_show(client: LanguageClient, tmp_path: Path):
    # the instrumented run of this version takes seconds (a long loop, recorded)...
    slow = "# synth: time_limit = 20\ntotal = 0\nfor i in range(3 * 10 ** 5):\n    total += i\nresult = {'output_grid': [[total % 10]]}\n"
    _, uri = script_in(tmp_path, slow)
    open_doc(client, uri, slow)
    await diagnostics_for_version(client, uri, 1)
    # ... and is overtaken by an edit while it runs
    quick = "# synth: time_limit = 20\nvalue = 4\nresult = {'output_grid': [[value]]}\n"
    change_doc(client, uri, quick, 2)
    await diagnostics_for_version(client, uri, 2)
    found = await wait_hints(client, uri, lambda h: 1 in h)
    assert found == {1: "value = 4", 2: "result = {'output_grid': [[4]]}"}
    await asyncio.sleep(3.0)  # long enough for the stale run to have ended, had it not been stopped
    assert {h.position.line: h.label for h in await hints_of(client, uri)} == found
