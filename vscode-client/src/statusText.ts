// What the status bar says about the active script. Pure, so its wording is unit tested.
import type { EvolutionStatus, RunResult } from "./protocol";

export type ServerState =
  | { kind: "starting" }
  | { kind: "running" }
  | { kind: "stopped"; reason: string }; // not running: failed check, crash or shutdown

export type StatusKind = "ok" | "partial" | "error" | "waiting";

export interface StatusView {
  text: string;
  tooltip: string;
  kind: StatusKind;
  /** Whether a click should stop evolution (else it starts it). */
  clickStops: boolean;
}

export function formatReward(reward: number): string {
  return reward.toFixed(2);
}

function testPart(run: RunResult): string {
  return run.testTotal > 0 ? `test ${run.testPassed}/${run.testTotal}` : "test n/a";
}

function evolutionPart(evo: EvolutionStatus | undefined): string {
  if (!evo) return "";
  const best = evo.bestReward === null ? "" : ` best ${formatReward(evo.bestReward)}`;
  switch (evo.state) {
    case "running":
      // before the first generation the server may not know the count yet
      return evo.generations > 0
        ? ` · $(sync~spin) evolving ${evo.generation}/${evo.generations}${best}`
        : " · $(sync~spin) evolving";
    case "queued":
      return " · $(clock) evolution queued";
    case "finished":
      return ` · evolved${best}`;
    case "stopped":
      return ` · evolution stopped${best}`;
    case "crashed":
      return " · $(error) evolution crashed";
    case "failed":
      return " · $(error) evolution cannot run";
    case "idle":
      return "";
  }
}

export function statusView(server: ServerState, run: RunResult | undefined, evo: EvolutionStatus | undefined): StatusView {
  const running = evo?.state === "running";
  const clickHint = running ? "Click to stop evolution." : "Click to start evolution.";
  if (server.kind === "stopped") {
    return {
      text: "$(error) Synth: server stopped",
      tooltip: `${server.reason}\nRun "Synth LSP: Restart Server" to try again.`,
      kind: "error",
      clickStops: false,
    };
  }
  if (server.kind === "starting") {
    return { text: "$(sync~spin) Synth: starting", tooltip: "The synth-lsp server is starting.", kind: "waiting", clickStops: false };
  }
  if (!run) {
    return {
      text: "$(beaker) Synth: not run yet" + evolutionPart(evo),
      tooltip: `Save the script to run it on its examples.\n${clickHint}`,
      kind: "waiting",
      clickStops: running,
    };
  }
  if (run.error) {
    return {
      text: "$(error) Synth: cannot run" + evolutionPart(evo),
      tooltip: `${run.error}\n${clickHint}`,
      kind: "error",
      clickStops: running,
    };
  }
  // what was measured: it fits the train pairs (the test pairs say more), never "solved"
  const fitsTrain = run.trainTotal > 0 && run.trainPassed === run.trainTotal;
  const icon = fitsTrain ? "$(pass)" : "$(warning)";
  const text = `${icon} train ${run.trainPassed}/${run.trainTotal} (${formatReward(run.trainReward)}) · ${testPart(run)}`;
  const tooltip = [
    fitsTrain
      ? `Fits the train pairs: all ${run.trainTotal} match exactly (reward ${formatReward(run.trainReward)}).`
      : `Train reward ${formatReward(run.trainReward)}: ${run.trainPassed} of ${run.trainTotal} train pairs match exactly.`,
    run.testTotal > 0 ? `Test: ${run.testPassed} of ${run.testTotal} held-out pairs match.` : "No test pairs with known answers.",
    `Ran in ${Math.round(run.durationMs)} ms.`,
    evo?.message ? `Evolution: ${evo.message}` : "",
    clickHint,
  ]
    .filter((l) => l.length > 0)
    .join("\n");
  return { text: text + evolutionPart(evo), tooltip, kind: fitsTrain ? "ok" : "partial", clickStops: running };
}
