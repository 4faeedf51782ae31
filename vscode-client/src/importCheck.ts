// Runs `<python> -c "import synth_lsp"` before starting the server, so a wrong interpreter gets
// one clear message instead of a language client that crashes and restarts.
import { execFile } from "node:child_process";
import { classifyImportCheck, type ImportCheck } from "./interpreter";

const CHECK_TIMEOUT_MS = 30_000;

export function checkImport(command: string, env: NodeJS.ProcessEnv, cwd: string | undefined): Promise<ImportCheck> {
  return new Promise((resolve) => {
    execFile(
      command,
      ["-c", "import synth_lsp"],
      { env, cwd, timeout: CHECK_TIMEOUT_MS, windowsHide: true, encoding: "utf8" },
      (error, _stdout, stderr) => {
        const err = error as (NodeJS.ErrnoException & { killed?: boolean; signal?: string; code?: unknown }) | null;
        resolve(
          classifyImportCheck({
            spawnErrorCode: typeof err?.code === "string" ? err.code : undefined,
            exitCode: err === null ? 0 : typeof err.code === "number" ? err.code : null,
            signal: err?.signal ?? null,
            stderr: stderr ?? "",
            timedOut: err?.killed === true && err?.signal === "SIGTERM",
          }),
        );
      },
    );
  });
}
