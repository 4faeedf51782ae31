// The grid view: a webview panel beside the editor that follows the active script and redraws
// on every run result.
import { randomBytes } from "node:crypto";
import * as vscode from "vscode";
import type { ActiveScript } from "./activeScript";
import { renderGridPage } from "./gridHtml";
import type { ScriptStates } from "./scriptStates";
import { scriptName } from "./scripts";
import type { ServerController } from "./serverController";

export class GridView implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly active: ActiveScript,
    private readonly states: ScriptStates,
    private readonly server: ServerController,
  ) {
    this.subscriptions = [
      active.onDidChange(() => this.render()),
      server.onDidChangeState(() => this.render()),
      states.onChange((uri) => {
        if (uri === this.active.uri?.toString()) this.render();
      }),
    ];
  }

  show(): void {
    if (this.panel) {
      this.panel.reveal(undefined, true);
    } else {
      this.panel = vscode.window.createWebviewPanel(
        "synthLsp.grids",
        "Synth Grids",
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        { enableScripts: false, enableFindWidget: true, localResourceRoots: [] },
      );
      this.panel.onDidDispose(() => (this.panel = undefined));
    }
    this.render();
  }

  private render(): void {
    if (!this.panel) return;
    const uri = this.active.uri;
    const name = uri ? scriptName(uri.path) : null;
    this.panel.title = name ? `Grids: ${name}` : "Synth Grids";
    const state = this.server.current;
    this.panel.webview.html = renderGridPage(
      {
        scriptName: name,
        run: uri ? this.states.run(uri.toString()) : undefined,
        serverDown: state.kind === "stopped" ? state.reason : undefined,
      },
      { nonce: randomBytes(16).toString("base64"), cspSource: this.panel.webview.cspSource },
    );
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
    this.panel?.dispose();
  }
}
