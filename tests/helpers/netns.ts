// Test helpers: network namespaces of the test's own (unique names, always cleaned up) and
// running commands. Works under Deno and Bun through node:child_process.
import { execFileSync } from "node:child_process";

/** Runs a command, returns stdout; throws with stderr on failure. */
export function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** True when `ip netns` can be used (root with iproute2). */
export function canUseNetns(): boolean {
  try {
    run("ip", ["netns", "list"]);
    return typeof process === "undefined" || process.getuid?.() === 0;
  } catch {
    return false;
  }
}

let counter = 0;

/** Creates a uniquely named network namespace; the returned object deletes it on dispose. */
export function tempNetns(prefix = "nlts"): { name: string; [Symbol.dispose](): void } {
  const name = `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter++}`;
  run("ip", ["netns", "add", name]);
  return {
    name,
    [Symbol.dispose]() {
      try {
        run("ip", ["netns", "del", name]);
      } catch {
        // already gone
      }
    },
  };
}

/** Runs `ip ARGS...` inside namespace `ns`. */
export function ipIn(ns: string, args: string[]): string {
  return run("ip", ["-n", ns, ...args]);
}
