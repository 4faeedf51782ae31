// Entry point: wires the server controller, status bar, grid view and commands together.
// The server starts once a synthesis script is open, not on any Python file.
import * as vscode from "vscode";
import { ActiveScript, isScriptDocument } from "./activeScript";
import { ApiKeyStore } from "./apiKeyStore";
import { BuiltinsStubs } from "./builtinsStubs";
import { registerCommands } from "./commands";
import { GridView } from "./gridView";
import { CANDIDATE_SCHEME, CandidateDocuments } from "./populationPicker";
import { ScriptStates } from "./scriptStates";
import { ServerController } from "./serverController";
import { needsRestart, SETTINGS_SECTION } from "./settings";
import { StatusBar } from "./statusBar";

let controller: ServerController | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel("Synth LSP", { log: true });
  const apiKeys = new ApiKeyStore(context.secrets);
  const states = new ScriptStates((uri) => vscode.Uri.parse(uri).toString());
  const server = new ServerController(output, states, apiKeys);
  controller = server;
  const active = new ActiveScript();
  const grids = new GridView(active, states, server);
  const candidates = new CandidateDocuments();
  // The server starts with the first script opened, not for any Python file
  const stubs = new BuiltinsStubs(output);
  const startIfScript = (doc: vscode.TextDocument) => {
    if (!isScriptDocument(doc)) return;
    void stubs.scriptOpened(doc); // __builtins__.pyi beside it, so Pylance knows `inputs`
    if (!server.wanted) void server.start();
  };

  context.subscriptions.push(
    output,
    server,
    active,
    grids,
    new StatusBar(active, states, server),
    vscode.workspace.registerTextDocumentContentProvider(CANDIDATE_SCHEME, candidates),
    ...registerCommands({ server, active, states, grids, candidates, apiKeys, output }),
    vscode.workspace.onDidOpenTextDocument(startIfScript),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!server.wanted) return;
      if (needsRestart((s) => e.affectsConfiguration(s))) {
        output.info("synthLsp.interpreter changed: restarting the server");
        void server.restart();
      } else if (e.affectsConfiguration(SETTINGS_SECTION)) {
        void server.settingsChanged();
      }
    }),
  );
  vscode.workspace.textDocuments.forEach(startIfScript);
}

export async function deactivate(): Promise<void> {
  await controller?.stop();
}
