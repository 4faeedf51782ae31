"""End to end over stdio (pytest-lsp, the real server, the real Monty sandbox): every kind of
script diagnostic at its place, the examples-file marks, the reward lens, hover and runResult."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from server_client import (
    CONFIG,
    run_result_for,
    by_code,
    change_doc,
    diagnostics_for_version,
    new_workspace,
    open_doc,
    save_doc,
    uri_of,
    wait_for_publication,
)

IDENTITY = '''# the identity seed
def transform(inputs):
    grid = inputs["input_grid"]
    return {"output_grid": [row[:] for row in grid]}


result = transform(inputs)
'''

# the real rule of 007bbfb7, with a switch to spoil it
FRACTAL = '''def transform(inputs):
    g = inputs["input_grid"]
    n = len(g)
    out = [[0] * (n * n) for _ in range(n * n)]
    for i in range(n):
        for j in range(n):
            if g[i][j]:
                for a in range(n):
                    for b in range(n):
                        out[i * n + a][j * n + b] = g[a][b]
    SPOIL
    return {"output_grid": out}


result = transform(inputs)
'''


# One server for the module (each test has its own folder and documents): server start-up is
# most of an end-to-end test's time on a loaded machine.
pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def client(lsp_client: LanguageClient):
    params = types.InitializeParams(
        capabilities=pytest_lsp.client_capabilities("visual-studio-code"),
        initialization_options={"settings": {"timeLimit": 1}, "clientFeatures": {"runResult": True}},
    )
    await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()


async def open_script(client: LanguageClient, root: Path, text: str, name: str = "007bbfb7") -> tuple[str, list[types.Diagnostic]]:
    root.mkdir(parents=True, exist_ok=True)
    new_workspace(root, name)
    path = root / f"{name}.synth.py"
    path.write_text(text, encoding="utf-8")
    uri = uri_of(path)
    open_doc(client, uri, text)
    return uri, await diagnostics_for_version(client, uri, 1)


def text_at(text: str, rng: types.Range) -> str:
    """The text a range covers (ASCII text: UTF-16 units are characters)."""
    lines = text.split("\n")
    if rng.start.line == rng.end.line:
        return lines[rng.start.line][rng.start.character : rng.end.character]
    parts = [lines[rng.start.line][rng.start.character :]] + lines[rng.start.line + 1 : rng.end.line] + [lines[rng.end.line][: rng.end.character]]
    return "\n".join(parts)


async def test_identity_seed_reports_one_mismatch_per_train_pair(client: LanguageClient, tmp_path: Path):
    uri, diags = await open_script(client, tmp_path, IDENTITY)
    mismatches = by_code(diags, "mismatch")
    assert len(mismatches) == 5 and len(diags) == 5
    first = mismatches[0]
    assert first.range.start.line == 6 and first.range.end.character == len("result = transform(inputs)")
    assert first.message == "train pair 1: wrong shape: expected 9x9, got 3x3"
    assert first.source == "synth-lsp"
    assert first.data["pairs"] == [{"split": "train", "index": 0}]
    related = first.related_information[0]
    examples_text = (tmp_path / "007bbfb7.json").read_text()
    assert related.location.uri == uri_of(tmp_path / "007bbfb7.json")
    assert json.loads(text_at(examples_text, related.location.range)) == json.loads(examples_text)["train"][0]["output"]

    # the examples file: one shape mark per pair, on the expected grid
    examples = await wait_for_publication(client, uri_of(tmp_path / "007bbfb7.json"), lambda p: len(p.diagnostics) == 5)
    marked = json.loads(text_at(examples_text, examples.diagnostics[1].range))
    assert marked == json.loads(examples_text)["train"][1]["output"]
    assert "expected a 9x9 grid here, the script produced 3x3" in examples.diagnostics[1].message

    # the lens, and the opt-in runResult notification
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(types.TextDocumentIdentifier(uri)))
    reward_lenses = [lens for lens in lenses if lens.command.command != "synthLsp.values.showPair"]  # not the inline values row
    assert len(reward_lenses) == 1 and lenses[0].range.start.line == 0
    assert lenses[0].command.command == "synthLsp.rerun" and list(lenses[0].command.arguments) == [uri]
    assert lenses[0].command.title.startswith("train 0/5 · test 0/1 · ") and lenses[0].command.title.endswith(" ms")
    payload = await run_result_for(client, uri, 1)
    assert payload.uri == uri and payload.version == 1
    assert (payload.trainPassed, payload.trainTotal, payload.testPassed, payload.testTotal) == (0, 5, 0, 1)
    assert payload.pairs[0].expected == json.loads(examples_text)["train"][0]["output"]
    assert payload.pairs[0].actual == json.loads(examples_text)["train"][0]["input"]


async def test_cell_mismatches_are_counted_and_marked_cell_by_cell(client: LanguageClient, tmp_path: Path):
    script = FRACTAL.replace("SPOIL", "out[0][1] = 5")
    uri, diags = await open_script(client, tmp_path, script)
    mismatches = by_code(diags, "mismatch")
    assert len(mismatches) == 5
    data = json.loads((tmp_path / "007bbfb7.json").read_text())
    expected = data["train"][0]["output"][0][1]
    assert mismatches[0].message == f"train pair 1: 1 of 81 cells differ: 0, 1: expected {expected}, got 5"
    assert mismatches[0].range.start.line == 14
    assert mismatches[0].data["cells"] == [[0, 1]]
    cell_related = mismatches[0].related_information[1]
    text = (tmp_path / "007bbfb7.json").read_text()
    assert text_at(text, cell_related.location.range) == str(expected)

    examples = await wait_for_publication(client, uri_of(tmp_path / "007bbfb7.json"), lambda p: len(p.diagnostics) == 10)
    problems = [d for d in examples.diagnostics if d.severity != types.DiagnosticSeverity.Hint]
    cells = [d for d in examples.diagnostics if d.severity == types.DiagnosticSeverity.Hint]
    assert len(problems) == 5 and len(cells) == 5  # one problem per failing pair; the cells drawn in place
    for i, (problem, diagnostic) in enumerate(zip(problems, cells)):
        assert problem.severity == types.DiagnosticSeverity.Warning
        assert problem.message == f"007bbfb7.synth.py, train pair {i + 1}: 1 of 81 cells differ, first at row 0, col 1"
        assert json.loads(text_at(text, problem.range)) == data["train"][i]["output"]  # spans the expected output
        assert [r.location.range for r in problem.related_information] == [diagnostic.range]
        assert text_at(text, diagnostic.range) == str(data["train"][i]["output"][0][1])
        assert diagnostic.message.startswith(f"007bbfb7.synth.py, train pair {i + 1}, row 0, col 1: expected")
        assert diagnostic.code == "mismatch"

    hover = await client.text_document_hover_async(types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(14, 3)))
    assert hover is not None and hover.contents.kind == types.MarkupKind.Markdown
    assert "**train pair 1**: 1 of 81 cells differ" in hover.contents.value
    assert "❌" in hover.contents.value and "🟧" in hover.contents.value  # orange 7s, the spoiled cell marked
    assert "diff (1)" in hover.contents.value
    nothing = await client.text_document_hover_async(types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(2, 3)))
    assert nothing is None

    # in the examples file, on a marked cell: that pair's grids
    examples_uri = uri_of(tmp_path / "007bbfb7.json")
    open_doc(client, examples_uri, text, language="json")
    cell = cells[2].range.start
    on_cell = await client.text_document_hover_async(types.HoverParams(types.TextDocumentIdentifier(examples_uri), cell))
    assert on_cell is not None and on_cell.contents.value.startswith("**train pair 3**: 1 of 81 cells differ")
    assert "train pair 1" not in on_cell.contents.value


async def test_many_differing_cells_are_capped_with_a_summary(client: LanguageClient, tmp_path: Path):
    script = FRACTAL.replace("SPOIL", "out = [[9] * len(out[0]) for _ in out]")
    uri, diags = await open_script(client, tmp_path, script)
    first = by_code(diags, "mismatch")[0]
    assert first.message.startswith("train pair 1: 81 of 81 cells differ: 0, 0: expected 0, got 9; 0, 1: expected 0, got 9;")
    assert first.message.endswith("; +78 more")
    examples = await wait_for_publication(client, uri_of(tmp_path / "007bbfb7.json"), lambda p: len(p.diagnostics) > 0)
    pair1 = [d for d in examples.diagnostics if ", train pair 1" in d.message]
    assert len(pair1) == 21  # the pair's one problem and its first 20 cells
    [problem] = [d for d in pair1 if d.severity == types.DiagnosticSeverity.Warning]
    assert problem.message == "007bbfb7.synth.py, train pair 1: 81 of 81 cells differ, first at row 0, col 0 (20 marked)"
    assert len(problem.related_information) == 10
    problems = [d for d in examples.diagnostics if d.severity != types.DiagnosticSeverity.Hint]
    assert len(problems) == 5  # not 100 cells: the Problems panel is not flooded


async def test_a_solved_task_has_no_diagnostics_and_a_full_lens(client: LanguageClient, tmp_path: Path):
    uri, diags = await open_script(client, tmp_path, FRACTAL.replace("SPOIL", "pass"))
    assert diags == []
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(types.TextDocumentIdentifier(uri)))
    assert lenses[0].command.title.startswith("train 5/5 · test 1/1 · ")
    assert (await run_result_for(client, uri, 1)).trainReward == 1.0


async def test_syntax_error_at_its_position(client: LanguageClient, tmp_path: Path):
    _, diags = await open_script(client, tmp_path, "x = 1\ny = (1 +\nresult = {}\n")
    [d] = diags
    assert d.code == "syntax" and d.severity == types.DiagnosticSeverity.Error
    assert d.range.start.line in (1, 2)
    assert "pair" not in d.message  # found before anything ran: not a per-example problem


async def test_unsupported_syntax_and_missing_module(client: LanguageClient, tmp_path: Path):
    _, diags = await open_script(client, tmp_path, "class A:\n    pass\n\n\nclass B(A):\n    pass\n\n\nresult = {}\n")
    [d] = diags
    assert d.code == "unsupported" and d.range.start.line == 4
    assert "inheritance" in d.message

    _, diags = await open_script(client, tmp_path / "second", "import math\nimport numpy as np\nresult = {}\n", name="007bbfb7")
    [d] = diags
    assert d.code == "import" and d.range.start.line == 1
    assert d.range.start.character == 0 and d.range.end.character == len("import numpy as np")
    assert "numpy" in d.message


async def test_runtime_error_merged_over_pairs_at_the_innermost_frame(client: LanguageClient, tmp_path: Path):
    script = '''def pick(grid):
    if grid[0][0] == 0:
        return grid[5][0]
    return grid


def transform(inputs):
    return {"output_grid": pick(inputs["input_grid"])}


result = transform(inputs)
'''
    uri, diags = await open_script(client, tmp_path, script)
    data = json.loads((tmp_path / "007bbfb7.json").read_text())
    failing = [i for i, p in enumerate(data["train"]) if p["input"][0][0] == 0]
    [runtime] = by_code(diags, "runtime")
    assert runtime.range.start.line == 2
    assert text_at(script, runtime.range) == "grid[5]"
    assert runtime.message.startswith("IndexError: ")
    names = ", ".join(str(i + 1) for i in failing)
    assert f"(on train pairs {names}" in runtime.message
    assert runtime.data["pairs"][0] == {"split": "train", "index": failing[0]}
    called = [r for r in runtime.related_information if r.location.uri == uri]
    assert [r.location.range.start.line for r in called] == [10, 7]  # the call chain, outermost first
    inputs = [r for r in runtime.related_information if r.location.uri != uri]
    assert inputs and inputs[0].message == f"the input of train pair {failing[0] + 1}"


async def test_non_ascii_columns_are_utf16_units(client: LanguageClient, tmp_path: Path):
    script = 's = "😀é"; boom = [][0]\nresult = {}\n'
    _, diags = await open_script(client, tmp_path, script)
    [d] = by_code(diags, "runtime")
    # "😀" is 2 UTF-16 units: `[][0]` starts at code point 17, UTF-16 unit 18
    assert (d.range.start.character, d.range.end.character) == (18, 23)
    assert "every pair" in d.message

    # imports are checked on the host with `ast`, whose columns are UTF-8 bytes: converted too
    script = 's = "😀é"; import numpy\nresult = {}\n'
    _, diags = await open_script(client, tmp_path / "second", script)
    [d] = by_code(diags, "import")
    assert (d.range.start.character, d.range.end.character) == (11, 23)


async def test_timeout_with_the_limit_on_the_result_line(client: LanguageClient, tmp_path: Path):
    script = "# synth: time_limit = 0.3\ndef spin(inputs):\n    while True:\n        pass\n\n\nresult = spin(inputs)\n"
    _, diags = await open_script(client, tmp_path, script)
    [d] = diags
    assert d.code == "timeout" and d.range.start.line == 6
    assert d.message == "TimeoutError: time limit of 0.3 s exceeded (on every pair)"


async def test_memory_limit_at_the_allocation(client: LanguageClient, tmp_path: Path):
    script = "# synth: memory_mb = 16\nx = []\nwhile True:\n    x.append([0] * 10000)\n"
    _, diags = await open_script(client, tmp_path, script)
    [d] = diags
    assert d.code == "memory" and d.range.start.line == 3
    assert "memory limit of 16 MB exceeded" in d.message


async def test_unbounded_recursion_and_endless_printing(client: LanguageClient, tmp_path: Path):
    _, diags = await open_script(client, tmp_path, "def f(n):\n    return f(n + 1)\n\n\nresult = f(0)\n")
    [d] = diags
    assert d.code == "runtime" and d.range.start.line == 1
    assert d.message.startswith("RecursionError: ") and "every pair" in d.message
    assert len(d.related_information) <= 5 + 6  # the call chain is truncated, not 1000 frames

    script = "# synth: time_limit = 0.3\nwhile True:\n    print('again and again')\n"
    _, diags = await open_script(client, tmp_path / "second", script)
    [timeout] = by_code(diags, "timeout")
    [stdout] = by_code(diags, "stdout")
    assert stdout.message.startswith("stdout of every pair:\nagain and again")
    assert len(stdout.message) < 2200


async def test_missing_result_schema_and_stderr(client: LanguageClient, tmp_path: Path):
    _, diags = await open_script(client, tmp_path, "x = 1\n\ny = x + 1\n")
    [d] = diags
    assert d.code == "missing-result" and d.range.start.line == 2
    assert "never assigned `result`" in d.message

    script = "import sys\nprint('careful', file=sys.stderr)\nresult = {\n    'output_grid': [[10]],\n}\n"
    _, diags = await open_script(client, tmp_path / "second", script)
    [schema] = by_code(diags, "schema")
    assert schema.range.start.line == 2
    assert "output_grid[0][0]: 10 is not a colour 0-9" in schema.message
    [stderr] = by_code(diags, "stderr")
    assert stderr.message == "stderr of every pair:\ncareful"
    assert stderr.severity == types.DiagnosticSeverity.Hint  # its pairs already have their problem

    script = "import sys\nprint('careful', file=sys.stderr)\nresult = {'output_grid': inputs['input_grid']}\n"
    _, diags = await open_script(client, tmp_path / "third", script)
    [stderr] = by_code(diags, "stderr")
    assert stderr.severity == types.DiagnosticSeverity.Hint  # every pair fails (shape): 5 problems, not 6
    assert len([d for d in diags if d.severity != types.DiagnosticSeverity.Hint]) == 5


async def test_header_problems_on_their_line(client: LanguageClient, tmp_path: Path):
    script = "# synth: time_limit = 1\n# synth: colour = blue\n" + IDENTITY
    _, diags = await open_script(client, tmp_path, script)
    [header] = by_code(diags, "header")
    assert header.range.start.line == 1 and "unknown header option `colour`" in header.message
    assert len(by_code(diags, "mismatch")) == 5  # the script still runs


async def test_missing_and_malformed_examples(client: LanguageClient, tmp_path: Path):
    script_path = tmp_path / "lonely.synth.py"
    script_path.write_text(IDENTITY)
    open_doc(client, uri_of(script_path), IDENTITY)
    [d] = await diagnostics_for_version(client, uri_of(script_path), 1)
    assert d.code == "examples" and d.range.start.line == 0
    assert "examples file not found" in d.message and "lonely.json" in d.message

    bad = tmp_path / "broken.json"
    bad.write_text('{"train": [\n  {"input": [[1]], "output": [[2]]},\n  {"input": [[1]] "output": [[2]]}\n]}\n')
    script = "# synth: examples = broken.json\n" + IDENTITY
    (tmp_path / "uses_broken.synth.py").write_text(script)
    open_doc(client, uri_of(tmp_path / "uses_broken.synth.py"), script)
    [d] = await diagnostics_for_version(client, uri_of(tmp_path / "uses_broken.synth.py"), 1)
    assert d.code == "examples" and d.range.start.line == 0 and "invalid JSON" in d.message
    assert d.related_information[0].location.uri == uri_of(bad)
    examples = await wait_for_publication(client, uri_of(bad), lambda p: len(p.diagnostics) == 1)
    [e] = examples.diagnostics
    assert (e.range.start.line, e.range.start.character) == (2, 18)  # where the comma is missing
    assert e.message.startswith("invalid JSON: Expecting ','")

    lacks = tmp_path / "lacks.json"
    lacks.write_text('{"train": [\n  {"input": [[1]], "output": [[2]]},\n  {"input": [[1]]}\n]}\n')
    script = "# synth: examples = lacks.json\n" + IDENTITY
    (tmp_path / "uses_lacks.synth.py").write_text(script)
    open_doc(client, uri_of(tmp_path / "uses_lacks.synth.py"), script)
    await diagnostics_for_version(client, uri_of(tmp_path / "uses_lacks.synth.py"), 1)
    examples = await wait_for_publication(client, uri_of(lacks), lambda p: len(p.diagnostics) == 1)
    [e] = examples.diagnostics
    assert e.message == "train[1] lacks `output`"
    assert (e.range.start.line, e.range.start.character, e.range.end.character) == (2, 2, 18)


async def test_unsaved_and_non_file_documents_cannot_run_but_the_server_serves(client: LanguageClient, tmp_path: Path):
    open_doc(client, "untitled:Untitled-1", IDENTITY)
    [d] = await diagnostics_for_version(client, "untitled:Untitled-1", 1)
    assert d.code == "examples" and "not a saved file" in d.message
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(types.TextDocumentIdentifier("untitled:Untitled-1")))
    assert "cannot run" in lenses[0].command.title
    assert (await run_result_for(client, "untitled:Untitled-1", 1)).error.startswith("this document is not a saved file")

    # a file that is not a synthesis script is left alone
    other = tmp_path / "plain.py"
    other.write_text("x = 1\n")
    open_doc(client, uri_of(other), "x = 1\n")
    uri, diags = await open_script(client, tmp_path, IDENTITY)
    assert len(diags) == 5
    assert not [p for p in client.published if p.uri == uri_of(other)]


async def test_a_huge_script_runs(client: LanguageClient, tmp_path: Path):
    helpers = "".join(f"def helper_{i}(g):\n    return [row[:] for row in g]\n\n\n" for i in range(5000))
    script = helpers + "result = {'output_grid': helper_4999(inputs['input_grid'])}\n"
    _, diags = await open_script(client, tmp_path, script)
    assert len(by_code(diags, "mismatch")) == 5
    assert diags[0].range.start.line == 20000


async def test_a_generic_task_marks_the_differing_values(client: LanguageClient, tmp_path: Path):
    import shutil

    from server_client import REPO

    generic = REPO / "examples" / "generic"
    shutil.copy(generic / "word_stats.json", tmp_path / "word_stats.json")
    script = (generic / "word_stats.synth.py").read_text()
    (tmp_path / "word_stats.synth.py").write_text(script)
    uri = uri_of(tmp_path / "word_stats.synth.py")
    open_doc(client, uri, script)
    diags = by_code(await diagnostics_for_version(client, uri, 1), "mismatch")
    assert [d.message for d in diags] == [
        'train pair 2: 1 value(s) differ: most_common: expected "a", got "rose"',
        'train pair 3: 1 value(s) differ: most_common: expected "editor", got "Synthesis"',
    ]
    text = (tmp_path / "word_stats.json").read_text()
    examples = await wait_for_publication(client, uri_of(tmp_path / "word_stats.json"), lambda p: len(p.diagnostics) == 4)
    hints = [d for d in examples.diagnostics if d.severity == types.DiagnosticSeverity.Hint]
    assert [text_at(text, d.range) for d in hints] == ['"a"', '"editor"']
    problems = [d for d in examples.diagnostics if d.severity == types.DiagnosticSeverity.Warning]
    assert [d.message for d in problems] == [
        'word_stats.synth.py, train pair 2: 1 value(s) differ, first at most_common: expected "a", got "rose"',
        'word_stats.synth.py, train pair 3: 1 value(s) differ, first at most_common: expected "editor", got "Synthesis"',
    ]
    hover = await client.text_document_hover_async(types.HoverParams(types.TextDocumentIdentifier(uri), diags[0].range.start))
    assert "```json" in hover.contents.value and '"most_common": "rose"' in hover.contents.value
    payload = await run_result_for(client, uri, 1)
    assert payload.pairs[1].expectedJson.most_common == "a"  # the test client makes objects namedtuples


async def test_a_worker_stopped_in_native_code_is_reported_and_the_server_goes_on(client: LanguageClient, tmp_path: Path):
    # a single huge native operation overruns the limit; Monty kills the worker (limit + grace)
    script = "# synth: time_limit = 0.2\nx = 3 ** (10 ** 8)\nresult = {'output_grid': [[x % 10]]}\n"
    _, diags = await open_script(client, tmp_path, script)
    [d] = diags
    assert d.code == "timeout" and d.range.start.line == 2
    assert "long native operation" in d.message and "0.2 s" in d.message
    # the pool replaced its workers: the next script runs normally
    _, diags = await open_script(client, tmp_path / "second", IDENTITY)
    assert len(by_code(diags, "mismatch")) == 5


async def test_a_one_line_examples_file_can_be_laid_out_and_its_marks_move_to_their_rows(client: LanguageClient, tmp_path: Path):
    script = FRACTAL.replace("SPOIL", "out[4][5] = 5")
    await open_script(client, tmp_path, script)
    examples_uri = uri_of(tmp_path / "007bbfb7.json")
    one_line = (tmp_path / "007bbfb7.json").read_text()
    assert "\n" not in one_line.strip()
    open_doc(client, examples_uri, one_line, language="json")
    before = await wait_for_publication(client, examples_uri, lambda p: len(p.diagnostics) == 10)
    assert {d.range.start.line for d in before.diagnostics} == {0}  # every mark on the only line

    everywhere = types.Range(types.Position(0, 0), types.Position(0, 10))
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(types.TextDocumentIdentifier(examples_uri), everywhere, types.CodeActionContext(diagnostics=[]))
    )
    layout = [a for a in actions or [] if a.title.startswith("Lay out the examples")]
    assert len(layout) == 1
    edit = layout[0].edit.document_changes[0]
    assert edit.text_document.version == 1  # versioned: refused if the file changed meanwhile
    laid_out = edit.edits[0].new_text
    assert json.loads(laid_out) == json.loads(one_line)

    change_doc(client, examples_uri, laid_out, 2)  # the editor applies it, and the user saves
    (tmp_path / "007bbfb7.json").write_text(laid_out)
    save_doc(client, examples_uri)
    after = await wait_for_publication(client, examples_uri, lambda p: len(p.diagnostics) == 10 and p.diagnostics[0].range.start.line > 0)
    data = json.loads(one_line)
    cells = [d for d in after.diagnostics if d.severity == types.DiagnosticSeverity.Hint]
    assert len(cells) == 5
    for i, diagnostic in enumerate(cells):
        assert text_at(laid_out, diagnostic.range) == str(data["train"][i]["output"][4][5])
        row = laid_out.split("\n")[diagnostic.range.start.line].strip().rstrip(",")
        assert json.loads(row) == data["train"][i]["output"][4]  # the mark sits on its own row's line
    again = await client.text_document_code_action_async(
        types.CodeActionParams(types.TextDocumentIdentifier(examples_uri), everywhere, types.CodeActionContext(diagnostics=[]))
    )
    assert not [a for a in again or [] if a.title.startswith("Lay out the examples")]  # already laid out
