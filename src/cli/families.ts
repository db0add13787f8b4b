/**
 * What the command line knows about generic netlink families, by kernel name: the description
 * nlts ships for it (hand-written in src/genl and src/ovs, or generated from a YNL spec in
 * src/families: of the two, the one that names more operations), else one built from the
 * kernel's YNL spec installed on this host (`NLTS_YNL_SPECS`, linux-doc), else none
 * (attributes stay numbered).
 *
 * @module
 */

import type { FamilySpec, OperationSpec } from "../genl/family.ts";
import { familySpecFor, registeredFamilies } from "../genl/registry.ts";
import "../genl/mod.ts"; // registers nlctrl, netdev, ethtool
import "../ovs/mod.ts"; // registers the ovs_* families
import type { AttrSet } from "../protocol/schema_attrs.ts";
import type { Codec } from "../protocol/schema_types.ts";
import { loadGenlSpec } from "../ynl/spec.ts";

/**
 * The generated family modules (src/families), by module name, loaded when a family of that
 * name is met (tests/cli/families_test.ts checks that the list has every module).
 */
export const FAMILY_MODULES: Readonly<Record<string, () => Promise<Record<string, unknown>>>> = {
  conntrack: () => import("../families/conntrack.ts"),
  devlink: () => import("../families/devlink.ts"),
  dpll: () => import("../families/dpll.ts"),
  ethtool: () => import("../families/ethtool.ts"),
  fou: () => import("../families/fou.ts"),
  handshake: () => import("../families/handshake.ts"),
  mptcp_pm: () => import("../families/mptcp_pm.ts"),
  netdev: () => import("../families/netdev.ts"),
  nfsd: () => import("../families/nfsd.ts"),
  nftables: () => import("../families/nftables.ts"),
  nl80211: () => import("../families/nl80211.ts"),
  nlctrl: () => import("../families/nlctrl.ts"),
  ovs_datapath: () => import("../families/ovs_datapath.ts"),
  ovs_flow: () => import("../families/ovs_flow.ts"),
  ovs_vport: () => import("../families/ovs_vport.ts"),
  rt_addr: () => import("../families/rt_addr.ts"),
  rt_link: () => import("../families/rt_link.ts"),
  rt_neigh: () => import("../families/rt_neigh.ts"),
  rt_netns: () => import("../families/rt_netns.ts"),
  rt_route: () => import("../families/rt_route.ts"),
  rt_rule: () => import("../families/rt_rule.ts"),
  tc: () => import("../families/tc.ts"),
  tcp_metrics: () => import("../families/tcp_metrics.ts"),
  team: () => import("../families/team.ts"),
  wireguard: () => import("../families/wireguard.ts"),
};

/** Where a family's description came from. */
export type FamilySource = "nlts" | "generated" | "spec";

/** A generic netlink family description and where it came from. */
export interface KnownFamily {
  /** The description. */
  spec: FamilySpec;
  /** "nlts" (src/genl, src/ovs), "generated" (src/families) or "spec" (a YNL file here). */
  source: FamilySource;
}

function isGenlSpec(v: unknown, name: string): v is FamilySpec {
  const s = v as { name?: unknown; operations?: unknown; version?: unknown; protocol?: unknown };
  return typeof s === "object" && s !== null && s.name === name &&
    typeof s.operations === "object" && typeof s.version === "number" &&
    typeof s.protocol !== "number";
}

const cache = new Map<string, KnownFamily | undefined>();

/**
 * The description of generic netlink family `name` (the kernel's spelling), or undefined when
 * nlts has none and no YNL spec of it is installed.
 *
 * @example
 * ```ts
 * import { knownFamily } from "./families.ts";
 * console.log((await knownFamily("wireguard"))?.source); // "generated"
 * ```
 */
export async function knownFamily(name: string): Promise<KnownFamily | undefined> {
  if (cache.has(name)) return cache.get(name);
  const candidates: KnownFamily[] = [];
  if (registeredFamilies().includes(name)) {
    candidates.push({ spec: familySpecFor(name), source: "nlts" });
  }
  const load = FAMILY_MODULES[name.replace(/-/g, "_")];
  if (load) {
    const spec = Object.values(await load()).find((v) => isGenlSpec(v, name));
    if (spec) candidates.push({ spec: spec as FamilySpec, source: "generated" });
  }
  if (candidates.length === 0) {
    try {
      candidates.push({ spec: loadGenlSpec(name), source: "spec" });
    } catch {
      // no spec of it on this host (or not a generic netlink one)
    }
  }
  // The description that names more operations (a hand-written one may cover only some).
  const count = (k: KnownFamily) => Object.keys(k.spec.operations).length;
  const found = candidates.reduce<KnownFamily | undefined>(
    (best, k) => best === undefined || count(k) > count(best) ? k : best,
    undefined,
  );
  cache.set(name, found);
  return found;
}

/** The operation names of command `cmd` (a family may have several ops per number). */
export function opNames(spec: FamilySpec, cmd: number): string[] {
  return Object.entries(spec.operations).filter(([, o]) => o.cmd === cmd).map(([n]) => n);
}

/** The operation that command `cmd` runs in mode `mode` (do or dump), if the spec has it. */
export function opFor(
  spec: FamilySpec,
  cmd: number,
  mode: "do" | "dump",
): [string, OperationSpec] | undefined {
  const ops = Object.entries(spec.operations).filter(([, o]) => o.cmd === cmd);
  return ops.find(([, o]) => mode === "do" ? o.do !== false : o.dump === true) ?? ops[0];
}

/** The attribute set a nesting codec holds (through arrays, maps, lazy and multi codecs). */
export function nestedSet(codec: Codec<unknown, never> | undefined): AttrSet<never> | undefined {
  for (let c: unknown = codec, i = 0; c !== undefined && i < 8; i++) {
    const x = c as { set?: unknown; inner?: unknown; resolve?: () => unknown };
    if (typeof x.resolve === "function") c = x.resolve();
    else if (x.set !== undefined) return x.set as AttrSet<never>;
    else if (x.inner !== undefined) c = x.inner;
    else return undefined;
  }
  return undefined;
}
