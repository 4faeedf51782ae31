// Tracks the synthesis script the user is working on: the active editor's, or the last one that
// was active (so the grid view and palette commands keep working while a webview has focus).
import * as vscode from "vscode";
import { isScriptPath } from "./scripts";

export function isScriptDocument(doc: vscode.TextDocument): boolean {
  return doc.uri.scheme === "file" && isScriptPath(doc.uri.path);
}

export class ActiveScript implements vscode.Disposable {
  private last: vscode.Uri | undefined;
  private readonly emitter = new vscode.EventEmitter<vscode.Uri | undefined>();
  readonly onDidChange = this.emitter.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor() {
    this.track(vscode.window.activeTextEditor);
    this.subscriptions = [
      vscode.window.onDidChangeActiveTextEditor((e) => this.track(e)),
      vscode.workspace.onDidCloseTextDocument((doc) => {
        if (this.last && doc.uri.toString() === this.last.toString()) {
          this.last = undefined;
          this.emitter.fire(undefined);
        }
      }),
    ];
  }

  /** The script to act on, or undefined when none has been active. */
  get uri(): vscode.Uri | undefined {
    return this.last;
  }

  /** Whether the focused editor itself shows a script (the status bar only shows then). */
  get focused(): boolean {
    const editor = vscode.window.activeTextEditor;
    return editor !== undefined && isScriptDocument(editor.document);
  }

  document(): vscode.TextDocument | undefined {
    const uri = this.last?.toString();
    return vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri);
  }

  private track(editor: vscode.TextEditor | undefined): void {
    if (editor && isScriptDocument(editor.document)) {
      const changed = this.last?.toString() !== editor.document.uri.toString();
      this.last = editor.document.uri;
      if (changed) this.emitter.fire(this.last);
    } else {
      this.emitter.fire(this.last); // focus moved away: the status bar may hide
    }
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
    this.emitter.dispose();
  }
}
