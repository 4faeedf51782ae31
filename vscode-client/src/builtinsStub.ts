// The `__builtins__.pyi` beside the scripts: it declares `inputs` for Pylance, Pyright and
// basedpyright. Written once per folder when a script there is first opened, and never over a
// file of that name (the Python side, synth_lsp/core/builtins_stub.py, writes the same text).
import { promises as fs } from "node:fs";
import * as path from "node:path";

export const STUB_NAME = "__builtins__.pyi";
export const STUB_TEXT = [
  "# synth-lsp: the globals of the synthesis scripts (NAME.synth.py) in this folder, for Pylance,",
  "# Pyright and basedpyright. A script is given `inputs` and must assign `result`.",
  "from typing import Any, TypeAlias",
  "",
  "# a JSON value (dict, list, str, int, float, bool or None); Any, so that a script can index",
  "# `inputs['input_grid'][0]` without narrowing each level first",
  "_JsonValue: TypeAlias = Any",
  "",
  "inputs: dict[str, _JsonValue]",
].join("\n") + "\n";

export type StubOutcome = "written" | "present" | "lacks-inputs" | "failed";

export function declaresInputs(text: string): boolean {
  return /^inputs\s*:/m.test(text);
}

export function advice(file: string): string {
  return `${file} does not declare \`inputs\`; add the line \`inputs: dict[str, Any]\` (and \`from typing import Any\`) so that Pylance and Pyright know it`;
}

/** Writes the stub into `folder` unless a file of that name exists there (never over one). The
 * file appears whole: written aside, then linked into place, which fails if the name exists. */
export async function provideStub(folder: string): Promise<{ file: string; outcome: StubOutcome; detail?: string }> {
  const file = path.join(folder, STUB_NAME);
  const aside = path.join(folder, `.${STUB_NAME}.${process.pid}.${Date.now()}.tmp`);
  try {
    await fs.writeFile(aside, STUB_TEXT, { flag: "wx" });
    await fs.link(aside, file);
    return { file, outcome: "written" };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") return { file, outcome: "failed", detail: String(error) };
  } finally {
    await fs.unlink(aside).catch(() => undefined);
  }
  try {
    return { file, outcome: declaresInputs(await fs.readFile(file, "utf8")) ? "present" : "lacks-inputs" };
  } catch (error) {
    return { file, outcome: "failed", detail: String(error) };
  }
}
