/**
 * An environment variable, read the way each runtime reads it cheaply (internal).
 *
 * @module
 */

/**
 * The value of environment variable `name`, or undefined when it is unset, empty or not
 * readable (Deno without `--allow-env` for it). Under Deno it asks `Deno.env` and never touches
 * `globalThis.process`: the first read of that loads Deno's Node.js process module (node:path,
 * util, assert...), ~30 ms of a script's start.
 */
export function envVar(name: string): string | undefined {
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  try {
    const v = g.Deno !== undefined ? g.Deno.env?.get?.(name) : g.process?.env?.[name];
    return typeof v === "string" && v !== "" ? v : undefined;
  } catch {
    return undefined; // no env permission
  }
}
