// "Browse Population": a quick pick of the evolved candidates; the highlighted one is previewed
// as a diff against the current script, the accepted one is applied by the server.
import * as vscode from "vscode";
import { candidateItemText } from "./population";
import { type Candidate, parseApplyOutcome, parseCandidates, ServerCommand } from "./protocol";
import type { ServerController } from "./serverController";
import { scriptName } from "./scripts";

export const CANDIDATE_SCHEME = "synth-candidate";

/** Serves candidate scripts as read-only documents for the diff preview. */
export class CandidateDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();

  uriFor(script: vscode.Uri, candidate: Candidate): vscode.Uri {
    const uri = vscode.Uri.from({
      scheme: CANDIDATE_SCHEME,
      path: `/${encodeURIComponent(String(candidate.id))}/${scriptName(script.path)}`,
    });
    this.texts.set(uri.toString(), candidate.script);
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? "";
  }
}

interface CandidateItem extends vscode.QuickPickItem {
  candidate: Candidate;
}

export async function browsePopulation(server: ServerController, docs: CandidateDocuments, doc: vscode.TextDocument): Promise<void> {
  const candidates = parseCandidates(await server.executeServerCommand(ServerCommand.population, [doc.uri.toString()]));
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage("Synth LSP: the population is empty. Start evolution first.");
    return;
  }
  const pick = vscode.window.createQuickPick<CandidateItem>();
  pick.title = `Population of ${scriptName(doc.uri.path)} (best first)`;
  pick.placeholder = "Highlight a candidate to preview its diff; Enter applies it";
  pick.matchOnDescription = true;
  pick.items = candidates.map((c) => ({ ...candidateItemText(c), candidate: c }));
  pick.onDidChangeActive(([item]) => {
    if (item) void preview(doc, docs.uriFor(doc.uri, item.candidate), item.candidate);
  });
  const chosen = await new Promise<Candidate | undefined>((resolve) => {
    pick.onDidAccept(() => {
      resolve(pick.selectedItems[0]?.candidate);
      pick.hide();
    });
    pick.onDidHide(() => resolve(undefined));
    pick.show();
  });
  pick.dispose();
  await closePreviews();
  if (!chosen) return;
  const outcome = parseApplyOutcome(
    await server.executeServerCommand(ServerCommand.applyCandidate, [doc.uri.toString(), chosen.id, doc.version]),
  );
  if (!outcome.applied) {
    void vscode.window.showWarningMessage(`Synth LSP: candidate not applied. ${outcome.message}`);
  }
}

async function preview(doc: vscode.TextDocument, candidateUri: vscode.Uri, c: Candidate): Promise<void> {
  await vscode.commands.executeCommand(
    "vscode.diff",
    doc.uri,
    candidateUri,
    `${scriptName(doc.uri.path)} ↔ candidate ${c.id} (${c.origin})`,
    { preview: true, preserveFocus: true, viewColumn: vscode.ViewColumn.Beside },
  );
}

async function closePreviews(): Promise<void> {
  const tabs = vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.scheme === CANDIDATE_SCHEME);
  if (tabs.length) await vscode.window.tabGroups.close(tabs, true);
}
