import assert from "node:assert/strict";
import { test } from "node:test";
import { classifyImportCheck, expandPath, importCheckMessage, resolveInterpreter } from "../interpreter";

const none = { setting: undefined, pythonExtension: undefined, workspaceFolder: "/ws", home: "/home/u" };

test("the setting wins over the Python extension and the default", () => {
  assert.deepEqual(resolveInterpreter({ ...none, setting: "/opt/py/bin/python", pythonExtension: "/venv/bin/python" }), {
    command: "/opt/py/bin/python",
    source: "setting",
  });
});

test("the Python extension's interpreter is used when the setting is empty or blank", () => {
  for (const setting of [undefined, "", "   "]) {
    assert.deepEqual(resolveInterpreter({ ...none, setting, pythonExtension: "/venv/bin/python" }), {
      command: "/venv/bin/python",
      source: "python-extension",
    });
  }
});

test("python3 is the last resort", () => {
  assert.deepEqual(resolveInterpreter(none), { command: "python3", source: "default" });
});

test("workspace and home variables are expanded in the setting", () => {
  assert.equal(expandPath("${workspaceFolder}/.venv/bin/python", "/ws", "/h"), "/ws/.venv/bin/python");
  assert.equal(expandPath("~/py/bin/python", "/ws", "/h"), "/h/py/bin/python");
  assert.equal(expandPath("${userHome}/x", "/ws", "/h"), "/h/x");
  assert.equal(expandPath("/a~/b", "/ws", "/h"), "/a~/b", "a ~ inside a path is literal");
  assert.equal(resolveInterpreter({ ...none, setting: " ${workspaceFolder}/py " }).command, "/ws/py");
});

const ran = { exitCode: 0, signal: null, stderr: "", timedOut: false };

test("the import check tells a missing interpreter from a missing package and a broken one", () => {
  assert.equal(classifyImportCheck({ ...ran, spawnErrorCode: "ENOENT", exitCode: null }).kind, "missing");
  assert.equal(classifyImportCheck({ ...ran, spawnErrorCode: "EACCES", exitCode: null }).kind, "missing");
  assert.equal(classifyImportCheck({ ...ran, exitCode: 127, stderr: "sh: 1: python9: not found" }).kind, "missing");
  assert.equal(classifyImportCheck(ran).kind, "ok");
  const noModule = "Traceback (most recent call last):\n  File \"<string>\", line 1\nModuleNotFoundError: No module named 'synth_lsp'\n";
  assert.equal(classifyImportCheck({ ...ran, exitCode: 1, stderr: noModule }).kind, "no-module");
  const broken = classifyImportCheck({ ...ran, exitCode: 1, stderr: "Traceback...\nImportError: cannot import name 'x' from 'pygls'\n" });
  assert.equal(broken.kind, "broken");
  assert.equal(classifyImportCheck({ ...ran, exitCode: null, signal: "SIGTERM", timedOut: true }).kind, "timeout");
});

test("each failure's message names the interpreter, where it came from, and how to fix it", () => {
  const interp = { command: "/nope/python", source: "setting" as const };
  const missing = importCheckMessage({ kind: "missing" }, interp)!;
  assert.match(missing, /\/nope\/python/);
  assert.match(missing, /not found/);
  assert.match(missing, /synthLsp\.interpreter/);
  assert.doesNotMatch(missing, /\/nope\/python -m pip/, "no advice to pip-install into a Python that is not there");
  assert.match(missing, /\/nope\/python \(set in synthLsp\.interpreter\)/);
  const noModule = importCheckMessage({ kind: "no-module", stderr: "" }, { command: "python3", source: "default" })!;
  assert.match(noModule, /lacks the synth_lsp package/);
  assert.match(noModule, /python3 -m pip install synth-lsp/);
  const broken = importCheckMessage(
    { kind: "broken", stderr: "Traceback\nImportError: cannot import name 'x'\n", exitCode: 1, signal: null },
    interp,
  )!;
  assert.match(broken, /ImportError: cannot import name 'x'/);
  assert.equal(importCheckMessage({ kind: "ok" }, interp), null);
});
