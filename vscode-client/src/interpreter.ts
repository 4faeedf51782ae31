// Which Python runs the language server, and what to tell the user when it cannot.
// Pure: the VS Code and process sides live in pythonExtension.ts and serverProcess.ts.

export type InterpreterSource = "setting" | "python-extension" | "default";

export interface Interpreter {
  command: string;
  source: InterpreterSource;
}

export const DEFAULT_INTERPRETER = "python3";

export interface ResolveInputs {
  setting: string | undefined; // synthLsp.interpreter
  pythonExtension: string | undefined; // the Python extension's selected interpreter, if any
  workspaceFolder: string | undefined;
  home: string | undefined;
}

/** Expands `${workspaceFolder}`, `${userHome}` and a leading `~` in a configured path. */
export function expandPath(raw: string, workspaceFolder: string | undefined, home: string | undefined): string {
  let out = raw.trim();
  if (home !== undefined) {
    out = out.replace(/\$\{userHome\}/g, home);
    if (out === "~" || out.startsWith("~/")) out = home + out.slice(1);
  }
  if (workspaceFolder !== undefined) out = out.replace(/\$\{workspaceFolder\}/g, workspaceFolder);
  return out;
}

/** The setting wins, then the Python extension's choice, then `python3` on PATH. */
export function resolveInterpreter(inputs: ResolveInputs): Interpreter {
  const setting = inputs.setting?.trim();
  if (setting) {
    return { command: expandPath(setting, inputs.workspaceFolder, inputs.home), source: "setting" };
  }
  const fromPython = inputs.pythonExtension?.trim();
  if (fromPython) return { command: fromPython, source: "python-extension" };
  return { command: DEFAULT_INTERPRETER, source: "default" };
}

export function describeSource(source: InterpreterSource): string {
  switch (source) {
    case "setting":
      return "set in synthLsp.interpreter";
    case "python-extension":
      return "selected in the Python extension";
    case "default":
      return "the default when nothing is configured";
  }
}

/** What running `<python> -c "import synth_lsp"` came to. */
export type ImportCheck =
  | { kind: "ok" }
  | { kind: "missing" } // the interpreter itself could not be started
  | { kind: "no-module"; stderr: string }
  | { kind: "broken"; stderr: string; exitCode: number | null; signal: string | null } // imports, but fails
  | { kind: "timeout" };

/** Classifies the outcome of the import check from what the child process reported. */
export function classifyImportCheck(outcome: {
  spawnErrorCode?: string;
  exitCode: number | null;
  signal: string | null;
  stderr: string;
  timedOut: boolean;
}): ImportCheck {
  if (outcome.spawnErrorCode === "ENOENT" || outcome.spawnErrorCode === "EACCES" || outcome.spawnErrorCode === "ENOTDIR") {
    return { kind: "missing" };
  }
  if (outcome.timedOut) return { kind: "timeout" };
  if (outcome.exitCode === 0) return { kind: "ok" };
  // A shell reports a missing program as 127 (e.g. a wrapper script pointing nowhere)
  if (outcome.exitCode === 127 && !/Traceback/.test(outcome.stderr)) return { kind: "missing" };
  if (/No module named '?synth_lsp'?/.test(outcome.stderr)) return { kind: "no-module", stderr: outcome.stderr };
  return { kind: "broken", stderr: outcome.stderr, exitCode: outcome.exitCode, signal: outcome.signal };
}

/** The sentence shown to the user when the server cannot be started: what is wrong and how to fix it. */
export function importCheckMessage(check: ImportCheck, interpreter: Interpreter): string | null {
  const who = `${interpreter.command} (${describeSource(interpreter.source)})`;
  const setIt = "Set \"synthLsp.interpreter\" to a Python that has synth-lsp installed";
  const fix = `${setIt}, or install it into this one: ${interpreter.command} -m pip install synth-lsp.`;
  switch (check.kind) {
    case "ok":
      return null;
    case "missing":
      return `Synth LSP: the Python interpreter ${who} was not found. ${setIt} (python3 -m pip install synth-lsp).`;
    case "no-module":
      return `Synth LSP: ${who} lacks the synth_lsp package. ${fix}`;
    case "timeout":
      return `Synth LSP: ${who} did not finish \`import synth_lsp\` in time. Check the interpreter, then run "Synth LSP: Restart Server".`;
    case "broken": {
      const last = lastLine(check.stderr) || `exit code ${check.exitCode ?? check.signal}`;
      return `Synth LSP: \`import synth_lsp\` fails in ${who}: ${last}. ${fix}`;
    }
  }
}

function lastLine(text: string): string {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  return lines.length ? lines[lines.length - 1] : "";
}
