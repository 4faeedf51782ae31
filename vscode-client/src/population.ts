// How a population candidate is shown in the quick pick. Pure.
import type { Candidate } from "./protocol";
import { formatReward } from "./statusText";

export interface CandidateItemText {
  label: string;
  description: string;
  detail: string;
}

export function candidateItemText(c: Candidate): CandidateItemText {
  const test = c.testTotal ? ` · test ${c.testPassed ?? 0}/${c.testTotal}` : "";
  const mark = c.beatsCurrent ? "$(arrow-up) " : "";
  return {
    label: `${mark}${formatReward(c.trainReward)} · train ${c.trainPassed}/${c.trainTotal}${test}`,
    description: `${c.origin} · generation ${c.generation}${c.current ? "" : " · scored on other examples"}`,
    detail: [diffSummary(c.diff), c.note].filter((p) => p.length > 0).join(" · "),
  };
}

/** "+3 −1 lines", from a unified diff (headers excluded). */
export function diffSummary(diff: string): string {
  let added = 0;
  let removed = 0;
  for (const line of diff.split("\n")) {
    if (line.startsWith("+++") || line.startsWith("---")) continue;
    if (line.startsWith("+")) added++;
    else if (line.startsWith("-")) removed++;
  }
  if (added === 0 && removed === 0) return "same as the current script";
  return `+${added} −${removed} lines against the current script`;
}
