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

/** What the server is sent: the scripts, and the JSON files, which may be their examples
 * (NAME.json or NAME.examples.json beside a script, or any file a header names), so that hovers,
 * the layout action and unsaved edits of an examples file reach it. It ignores JSON no script uses. */
export const DOCUMENT_SELECTOR = [
  { scheme: "file", pattern: SCRIPT_GLOB },
  { scheme: "file", language: "json", pattern: "**/*.json" },
];
