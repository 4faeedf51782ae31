// What counts as a synthesis script. Pure.
export const SCRIPT_SUFFIX = ".synth.py";
export const SCRIPT_GLOB = "**/*.synth.py";

export function isScriptPath(path: string): boolean {
  return path.endsWith(SCRIPT_SUFFIX) && path.length > SCRIPT_SUFFIX.length;
}

export function scriptName(path: string): string {
  const slash = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  return path.slice(slash + 1);
}
