// The palette commands. Each acts on the active script and wraps one server command.
import * as vscode from "vscode";
import type { ActiveScript } from "./activeScript";
import { isValidVariableName, KNOWN_KEY_VARIABLES, keyProblem } from "./apiKeys";
import type { ApiKeyStore } from "./apiKeyStore";
import type { GridView } from "./gridView";
import { browsePopulation, type CandidateDocuments } from "./populationPicker";
import { parseApplyOutcome, ServerCommand } from "./protocol";
import type { ScriptStates } from "./scriptStates";
import type { ServerController } from "./serverController";

export interface CommandDeps {
  server: ServerController;
  active: ActiveScript;
  states: ScriptStates;
  grids: GridView;
  candidates: CandidateDocuments;
  apiKeys: ApiKeyStore;
  output: vscode.LogOutputChannel;
}

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const { server, active, output } = deps;

  /** Runs `action` on the active script, reporting failures instead of throwing into VS Code. */
  const onScript = (action: (doc: vscode.TextDocument) => Promise<void>) => async () => {
    const doc = active.document();
    if (!doc) {
      void vscode.window.showWarningMessage("Synth LSP: open a .synth.py script first.");
      return;
    }
    try {
      if (!server.started) {
        await server.start();
        if (server.current.kind !== "running") return; // the failed start has said why
      }
      await action(doc);
    } catch (err) {
      output.error(String(err));
      void vscode.window.showErrorMessage(`Synth LSP: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  const startEvolution = async (doc: vscode.TextDocument) => {
    const answer = (await server.executeServerCommand(ServerCommand.evolveStart, [doc.uri.toString()])) as
      | { started?: boolean; message?: string }
      | null;
    if (answer?.started !== true) {
      void vscode.window.showWarningMessage(`Synth LSP: evolution not started. ${answer?.message ?? ""}`.trim());
    }
  };
  const stopEvolution = async (doc: vscode.TextDocument) => {
    await server.executeServerCommand(ServerCommand.evolveStop, [doc.uri.toString()]);
  };

  return [
    vscode.commands.registerCommand("synthLsp.restartServer", () => server.restart()),
    vscode.commands.registerCommand("synthLsp.showLog", () => output.show(true)),
    vscode.commands.registerCommand("synthLsp.showGrids", () => deps.grids.show()),
    vscode.commands.registerCommand(
      "synthLsp.rerunScript",
      onScript(async (doc) => {
        await server.executeServerCommand(ServerCommand.rerun, [doc.uri.toString()]);
      }),
    ),
    vscode.commands.registerCommand("synthLsp.startEvolution", onScript(startEvolution)),
    vscode.commands.registerCommand("synthLsp.stopEvolution", onScript(stopEvolution)),
    vscode.commands.registerCommand(
      "synthLsp.toggleEvolution",
      onScript(async (doc) => {
        const running = deps.states.evolution(doc.uri.toString())?.state === "running";
        await (running ? stopEvolution(doc) : startEvolution(doc));
      }),
    ),
    vscode.commands.registerCommand(
      "synthLsp.applyBestCandidate",
      onScript(async (doc) => {
        const outcome = parseApplyOutcome(await server.executeServerCommand(ServerCommand.applyBest, [doc.uri.toString()]));
        if (!outcome.applied) void vscode.window.showWarningMessage(`Synth LSP: nothing applied. ${outcome.message}`.trim());
      }),
    ),
    vscode.commands.registerCommand(
      "synthLsp.browsePopulation",
      onScript((doc) => browsePopulation(server, deps.candidates, doc)),
    ),
    vscode.commands.registerCommand("synthLsp.storeApiKey", () => storeApiKey(deps)),
    vscode.commands.registerCommand("synthLsp.forgetApiKey", () => forgetApiKey(deps)),
  ];
}

async function storeApiKey({ apiKeys, server }: CommandDeps): Promise<void> {
  const other = "Other variable…";
  const picked = await vscode.window.showQuickPick([...KNOWN_KEY_VARIABLES, other], {
    title: "Store an API key: which environment variable should the server see?",
  });
  if (!picked) return;
  const name =
    picked === other
      ? await vscode.window.showInputBox({
          title: "Environment variable name",
          placeHolder: "MY_PROVIDER_API_KEY",
          validateInput: (v) => (isValidVariableName(v) ? null : "Upper-case letters, digits and _, not starting with a digit."),
        })
      : picked;
  if (!name) return;
  const value = await vscode.window.showInputBox({
    title: `API key for ${name}`,
    password: true,
    ignoreFocusOut: true,
    validateInput: keyProblem,
  });
  if (!value) return;
  await apiKeys.store(name, value);
  const restart = await vscode.window.showInformationMessage(
    `Synth LSP: ${name} is stored in VS Code's secret storage; the server receives it as an environment variable.`,
    "Restart Server Now",
  );
  if (restart) await server.restart();
}

async function forgetApiKey({ apiKeys, server }: CommandDeps): Promise<void> {
  const names = await apiKeys.names();
  if (names.length === 0) {
    void vscode.window.showInformationMessage("Synth LSP: no API keys are stored.");
    return;
  }
  const name = await vscode.window.showQuickPick(names, { title: "Forget which stored API key?" });
  if (!name) return;
  await apiKeys.forget(name);
  if (server.started) await server.restart();
}
