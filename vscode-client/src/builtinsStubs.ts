// Provides `__builtins__.pyi` in each folder where a synthesis script is first opened (once per
// folder and session), so Pylance knows `inputs`. A user's own file is left alone: when it lacks
// the declaration, the user is told once what to add. Setting `synthLsp.builtinsStub` turns it off.
import * as path from "node:path";
import * as vscode from "vscode";
import { advice, provideStub } from "./builtinsStub";
import { SETTINGS_SECTION } from "./settings";

export class BuiltinsStubs {
  private readonly seen = new Set<string>();

  constructor(private readonly output: vscode.LogOutputChannel) {}

  async scriptOpened(doc: vscode.TextDocument): Promise<void> {
    if (doc.uri.scheme !== "file") return;
    if (!vscode.workspace.getConfiguration(SETTINGS_SECTION, doc.uri).get<boolean>("builtinsStub", true)) return;
    const folder = path.dirname(doc.uri.fsPath);
    if (this.seen.has(folder)) return;
    this.seen.add(folder);
    const result = await provideStub(folder);
    if (result.outcome === "written") this.output.info(`wrote ${result.file}: it declares \`inputs\` for Pylance and Pyright`);
    else if (result.outcome === "lacks-inputs") void vscode.window.showInformationMessage(`Synth LSP: ${advice(result.file)}.`);
    else if (result.outcome === "failed") this.output.warn(`could not provide ${result.file}: ${result.detail}`);
  }
}
