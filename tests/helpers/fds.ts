// File descriptors of this process, for tests that check nothing is left open. Each entry is
// "N -> target" (e.g. "12 -> socket:[4711]"), so a number reused for another file counts as new.
// Compare with newFds(before): other tests of the same process (Bun runs every file in one)
// may close their own descriptors meanwhile, so only what appeared is checked.
import { readdirSync, readlinkSync } from "node:fs";

/** The open descriptors of this process with what they refer to. */
export function openFds(): Set<string> {
  const out = new Set<string>();
  for (const n of readdirSync("/proc/self/fd")) {
    try {
      out.add(`${n} -> ${readlinkSync(`/proc/self/fd/${n}`)}`);
    } catch {
      // closed between readdir and readlink (the directory's own fd, for one)
    }
  }
  return out;
}

/** The descriptors open now that were not in `before`. */
export function newFds(before: Set<string>): string[] {
  return [...openFds()].filter((f) => !before.has(f)).sort();
}
