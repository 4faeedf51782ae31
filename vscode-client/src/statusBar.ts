// The status bar item for the active script: reward, test result, evolution; a click toggles evolution.
import * as vscode from "vscode";
import type { ActiveScript } from "./activeScript";
import type { ScriptStates } from "./scriptStates";
import type { ServerController } from "./serverController";
import { type StatusKind, statusView } from "./statusText";

const BACKGROUND: Record<StatusKind, vscode.ThemeColor | undefined> = {
  ok: undefined,
  waiting: undefined,
  partial: new vscode.ThemeColor("statusBarItem.warningBackground"),
  error: new vscode.ThemeColor("statusBarItem.errorBackground"),
};

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem("synthLsp.status", vscode.StatusBarAlignment.Left, 50);
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly active: ActiveScript,
    private readonly states: ScriptStates,
    private readonly server: ServerController,
  ) {
    this.item.name = "Synth LSP";
    this.item.command = "synthLsp.toggleEvolution";
    this.subscriptions = [
      active.onDidChange(() => this.update()),
      states.onChange(() => this.update()),
      server.onDidChangeState(() => this.update()),
    ];
    this.update();
  }

  update(): void {
    const uri = this.active.uri;
    if (!uri || !this.active.focused) {
      this.item.hide();
      return;
    }
    const key = uri.toString();
    const view = statusView(this.server.current, this.states.run(key), this.states.evolution(key));
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    this.item.backgroundColor = BACKGROUND[view.kind];
    // Icons do not reach screen readers: the label repeats the text without them
    this.item.accessibilityInformation = { label: `Synth LSP: ${view.text.replace(/\$\([^)]*\)\s*/g, "")}` };
    this.item.command = view.kind === "error" && this.server.current.kind === "stopped" ? "synthLsp.restartServer" : "synthLsp.toggleEvolution";
    this.item.show();
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
    this.item.dispose();
  }
}
