// The latest run result and evolution status per script URI, with change listeners. Pure.
import type { EvolutionStatus, RunResult } from "./protocol";

export type Listener = (uri: string) => void;

export class ScriptStates {
  private readonly runs = new Map<string, RunResult>();
  private readonly evolutions = new Map<string, EvolutionStatus>();
  private readonly listeners = new Set<Listener>();

  /** `normalize` maps the server's URI spelling onto the editor's (percent-encoding differs). */
  constructor(private readonly normalize: (uri: string) => string = (u) => u) {}

  setRun(run: RunResult): void {
    const uri = this.normalize(run.uri);
    const previous = this.runs.get(uri);
    // A late result for an older version must not replace a newer one
    if (previous && previous.version !== null && run.version !== null && run.version < previous.version) return;
    this.runs.set(uri, run);
    this.emit(uri);
  }

  setEvolution(status: EvolutionStatus): void {
    const uri = this.normalize(status.uri);
    this.evolutions.set(uri, status);
    this.emit(uri);
  }

  run(uri: string): RunResult | undefined {
    return this.runs.get(uri);
  }

  evolution(uri: string): EvolutionStatus | undefined {
    return this.evolutions.get(uri);
  }

  /** Forgets everything (a new server process knows nothing of the old one's runs). */
  clear(): void {
    const uris = new Set([...this.runs.keys(), ...this.evolutions.keys()]);
    this.runs.clear();
    this.evolutions.clear();
    for (const uri of uris) this.emit(uri);
  }

  onChange(listener: Listener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private emit(uri: string): void {
    for (const l of this.listeners) l(uri);
  }
}
