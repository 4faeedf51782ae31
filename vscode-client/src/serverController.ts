// Starts, stops and restarts the synth-lsp language server; the one place that owns the client.
import * as os from "node:os";
import * as vscode from "vscode";
import {
  CloseAction,
  DidChangeConfigurationNotification,
  ErrorAction,
  ExecuteCommandRequest,
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";
import { serverEnvironment } from "./apiKeys";
import type { ApiKeyStore } from "./apiKeyStore";
import { checkImport } from "./importCheck";
import { importCheckMessage, type Interpreter, resolveInterpreter } from "./interpreter";
import {
  EVOLUTION_STATUS_NOTIFICATION,
  parseEvolutionStatus,
  parseRunResult,
  RUN_RESULT_NOTIFICATION,
} from "./protocol";
import { pythonExtensionInterpreter } from "./pythonExtension";
import type { ScriptStates } from "./scriptStates";
import { DOCUMENT_SELECTOR } from "./scripts";
import { SETTINGS_SECTION, serverSettings } from "./settings";
import type { ServerState } from "./statusText";

export class ServerController implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private state: ServerState = { kind: "stopped", reason: "The server has not been started." };
  private readonly stateEmitter = new vscode.EventEmitter<ServerState>();
  readonly onDidChangeState = this.stateEmitter.event;
  private queue: Promise<unknown> = Promise.resolve(); // start/stop never interleave
  private everStarted = false;

  constructor(
    private readonly output: vscode.LogOutputChannel,
    private readonly states: ScriptStates,
    private readonly apiKeys: ApiKeyStore,
  ) {}

  get current(): ServerState {
    return this.state;
  }

  get started(): boolean {
    return this.client !== undefined;
  }

  /** Whether a start was ever asked for (then an interpreter change means a restart). */
  get wanted(): boolean {
    return this.everStarted;
  }

  start(): Promise<void> {
    this.everStarted = true;
    return this.enqueue(() => this.doStart());
  }

  stop(): Promise<void> {
    return this.enqueue(() => this.doStop());
  }

  restart(): Promise<void> {
    this.everStarted = true;
    return this.enqueue(async () => {
      await this.doStop();
      await this.doStart();
    });
  }

  /** Converts the server's URI spelling to the editor's. */
  normalizeUri(uri: string): string {
    return vscode.Uri.parse(uri).toString();
  }

  /** Tells a running server the settings changed (docs/protocol.md: `settings.synthLsp`). */
  async settingsChanged(): Promise<void> {
    const client = this.client;
    if (!client || this.state.kind !== "running") return;
    try {
      await client.sendNotification(DidChangeConfigurationNotification.type, { settings: { [SETTINGS_SECTION]: this.currentSettings() } });
    } catch (err) {
      this.output.warn(`Could not send the new settings: ${String(err)}`);
    }
  }

  private currentSettings() {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    return serverSettings((k) => vscode.workspace.getConfiguration(SETTINGS_SECTION, folder).get(k));
  }

  async executeServerCommand(command: string, args: unknown[]): Promise<unknown> {
    await this.queue; // a command given during a (re)start waits for it
    if (!this.client || this.state.kind !== "running") {
      throw new Error("the Synth LSP server is not running");
    }
    return this.client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
  }

  private enqueue<T>(job: () => Promise<T>): Promise<T> {
    const next = this.queue.then(job, job);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private setState(state: ServerState): void {
    this.state = state;
    this.stateEmitter.fire(state);
  }

  private async resolve(): Promise<Interpreter> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const config = vscode.workspace.getConfiguration(SETTINGS_SECTION, folder);
    return resolveInterpreter({
      setting: config.get<string>("interpreter"),
      pythonExtension: await pythonExtensionInterpreter(folder),
      workspaceFolder: folder?.fsPath,
      home: os.homedir(),
    });
  }

  private async doStart(): Promise<void> {
    if (this.client) return;
    this.setState({ kind: "starting" });
    const interpreter = await this.resolve();
    const env = serverEnvironment(process.env, await this.apiKeys.all());
    const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    this.output.info(`Checking ${interpreter.command} (${interpreter.source}) for synth_lsp`);
    const check = await checkImport(interpreter.command, env, cwd);
    const problem = importCheckMessage(check, interpreter);
    if (problem) {
      this.output.error(problem);
      if ("stderr" in check && check.stderr) this.output.error(check.stderr.trimEnd());
      this.setState({ kind: "stopped", reason: problem });
      void this.offerFix(problem);
      return; // no client, so nothing restarts on its own
    }
    const client = this.createClient(interpreter, env, cwd);
    this.client = client;
    try {
      await client.start();
      this.output.info(`Server started with ${interpreter.command}`);
      this.setState({ kind: "running" });
    } catch (err) {
      this.client = undefined;
      const reason = `Synth LSP: the server did not start with ${interpreter.command}: ${String(err)}`;
      this.output.error(reason);
      this.setState({ kind: "stopped", reason });
      void this.offerRestart(reason);
    }
  }

  private async doStop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) {
      try {
        await client.stop(5000);
      } catch (err) {
        this.output.warn(`Stopping the server: ${String(err)}`);
      }
      await client.dispose().catch(() => undefined);
    }
    this.states.clear();
    this.setState({ kind: "stopped", reason: "The server was stopped." });
  }

  private createClient(interpreter: Interpreter, env: Record<string, string>, cwd: string | undefined): LanguageClient {
    const serverOptions: ServerOptions = {
      command: interpreter.command,
      args: ["-m", "synth_lsp", "serve"],
      transport: TransportKind.stdio, // the client appends --stdio, which the server accepts
      options: { env, cwd },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: DOCUMENT_SELECTOR,
      outputChannel: this.output,
      initializationOptions: {
        settings: this.currentSettings(),
        clientFeatures: { runResult: true, evolutionStatus: true },
      },
      // No `synchronize.configurationSection`: its notification races a restart for a new
      // interpreter (it would be sent to the client being stopped); settingsChanged() sends it.
      errorHandler: {
        error: (_error, _message, count) => ({ action: (count ?? 0) <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown }),
        closed: () => {
          // Never restart on our own (a server that dies at start would loop): offer it instead.
          void this.onUnexpectedExit(client);
          return { action: CloseAction.DoNotRestart, handled: true };
        },
      },
    };
    const client = new LanguageClient("synthLsp", "Synth LSP", serverOptions, clientOptions);
    client.onNotification(RUN_RESULT_NOTIFICATION, (params: unknown) => {
      const run = parseRunResult(params);
      if (run) this.states.setRun(run);
      else this.output.warn(`Ignored a malformed ${RUN_RESULT_NOTIFICATION} notification`);
    });
    client.onNotification(EVOLUTION_STATUS_NOTIFICATION, (params: unknown) => {
      const status = parseEvolutionStatus(params);
      if (status) this.states.setEvolution(status);
      else this.output.warn(`Ignored a malformed ${EVOLUTION_STATUS_NOTIFICATION} notification`);
    });
    return client;
  }

  private async onUnexpectedExit(client: LanguageClient): Promise<void> {
    await this.enqueue(async () => {
      if (this.client !== client) return; // already stopped or replaced on purpose
      this.client = undefined;
      await client.dispose().catch(() => undefined);
      this.states.clear();
      const reason = "Synth LSP: the language server stopped unexpectedly.";
      this.output.error(reason);
      this.setState({ kind: "stopped", reason });
      void this.offerRestart(reason);
    });
  }

  private async offerRestart(message: string): Promise<void> {
    const choice = await vscode.window.showErrorMessage(message, "Restart Server", "Show Log");
    if (choice === "Restart Server") await this.restart();
    else if (choice === "Show Log") this.output.show(true);
  }

  private async offerFix(message: string): Promise<void> {
    const choice = await vscode.window.showErrorMessage(message, "Open Settings", "Show Log", "Retry");
    if (choice === "Open Settings") {
      await vscode.commands.executeCommand("workbench.action.openSettings", `${SETTINGS_SECTION}.interpreter`);
    } else if (choice === "Show Log") {
      this.output.show(true);
    } else if (choice === "Retry") {
      await this.restart();
    }
  }

  dispose(): void {
    void this.stop();
    this.stateEmitter.dispose();
  }
}
