// Helpers of the route tests: iproute2's JSON, and "everything we show, ip shows the same".
import assert from "node:assert/strict";
import { ipIn } from "../helpers/netns.ts";

export type Obj = Record<string, unknown>;

/** `ip -j ARGS...` in namespace `ns`, parsed. */
export function ipJson(ns: string, args: string[]): Obj[] {
  const out = ipIn(ns, ["-j", ...args]).trim();
  return out === "" ? [] : JSON.parse(out) as Obj[];
}

/**
 * Keys newer iproute2 prints that this host's (6.1) does not: nlts shows them under the newer
 * ip's names (ip/ipaddress.c print_linkinfo, iproute2 6.3+).
 */
const NEWER_IP_KEYS = new Set(["gso_ipv4_max_size", "gro_ipv4_max_size"]);

/**
 * Every key of `ours` is in `theirs` with the same value (objects compared the same way, key by
 * key; arrays element by element): what nlts prints, iproute2 prints alike.
 */
export function assertShownAlike(ours: unknown, theirs: unknown, path = ""): void {
  if (Array.isArray(ours)) {
    assert.ok(Array.isArray(theirs), `${path}: ip has ${JSON.stringify(theirs)}, not a list`);
    assert.equal(
      ours.length,
      theirs.length,
      `${path}: ${JSON.stringify(ours)} vs ${JSON.stringify(theirs)}`,
    );
    ours.forEach((v, i) => assertShownAlike(v, theirs[i], `${path}[${i}]`));
    return;
  }
  if (typeof ours === "object" && ours !== null) {
    assert.ok(
      typeof theirs === "object" && theirs !== null,
      `${path}: ip has ${JSON.stringify(theirs)}`,
    );
    for (const [k, v] of Object.entries(ours)) {
      if (NEWER_IP_KEYS.has(k) && !(k in (theirs as Obj))) continue;
      assert.ok(
        k in (theirs as Obj),
        `${path}.${k}: nlts shows ${JSON.stringify(v)}, ip shows nothing (${
          JSON.stringify(theirs)
        })`,
      );
      assertShownAlike(v, (theirs as Obj)[k], `${path}.${k}`);
    }
    return;
  }
  assert.deepEqual(
    ours,
    theirs,
    `${path}: nlts ${JSON.stringify(ours)}, ip ${JSON.stringify(theirs)}`,
  );
}

/** The keys both show (to check that a comparison covered what it should). */
export function sharedKeys(ours: Obj, theirs: Obj): string[] {
  return Object.keys(ours).filter((k) => k in theirs);
}
