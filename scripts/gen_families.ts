// Regenerates src/families/*.ts from the kernel's YNL specs: every spec of Debian's
// linux-doc-6.12 and of ../shared/ynl-specs (newer specs, test data), the newer one where both
// have a family. `deno run -A scripts/gen_families.ts` writes the modules; tests/ynl/gen_test.ts
// regenerates them in memory and fails on any difference.
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateModule, moduleName } from "../src/ynl/gen.ts";

/** The repository's root. */
export const ROOT: string = join(dirname(fileURLToPath(import.meta.url)), "..");
/** Debian's linux-doc-6.12 specs: the primary, reproducible source. */
export const LINUX_DOC = "/usr/share/doc/linux-doc-6.12/Documentation/netlink/specs";
/** The newer specs (test data beside the repository). */
export const SHARED: string = join(ROOT, "..", "shared", "ynl-specs");
/** Specs nlts writes itself, for what no kernel spec covers (RTM_*NSID). */
export const REPO_SPECS: string = join(ROOT, "specs");

/** Where each shipped module comes from. */
export interface FamilySource {
  /** Module name under src/families (and the export `./families/<module>`). */
  readonly module: string;
  /** The spec's file name. */
  readonly file: string;
  /** "linux-doc-6.12", "shared" (../shared/ynl-specs) or "repo" (specs/, written for nlts). */
  readonly source: "linux-doc-6.12" | "shared" | "repo";
}

/**
 * The shipped modules: every linux-doc-6.12 spec, replaced by ../shared/ynl-specs' version where
 * that folder has the family. Written out (not read from the folders) so that a test without
 * ../shared still knows which modules it cannot check.
 */
export const FAMILIES: readonly FamilySource[] = [
  { module: "conntrack", file: "conntrack.yaml", source: "shared" },
  { module: "devlink", file: "devlink.yaml", source: "shared" },
  { module: "dpll", file: "dpll.yaml.gz", source: "linux-doc-6.12" },
  { module: "ethtool", file: "ethtool.yaml.gz", source: "linux-doc-6.12" },
  { module: "fou", file: "fou.yaml.gz", source: "linux-doc-6.12" },
  { module: "handshake", file: "handshake.yaml.gz", source: "linux-doc-6.12" },
  { module: "mptcp_pm", file: "mptcp_pm.yaml.gz", source: "linux-doc-6.12" },
  { module: "netdev", file: "netdev.yaml", source: "shared" },
  { module: "nfsd", file: "nfsd.yaml.gz", source: "linux-doc-6.12" },
  { module: "nftables", file: "nftables.yaml", source: "shared" },
  { module: "nl80211", file: "nl80211.yaml", source: "shared" },
  { module: "nlctrl", file: "nlctrl.yaml", source: "shared" },
  { module: "ovs_datapath", file: "ovs_datapath.yaml.gz", source: "linux-doc-6.12" },
  { module: "ovs_flow", file: "ovs_flow.yaml.gz", source: "linux-doc-6.12" },
  { module: "ovs_vport", file: "ovs_vport.yaml.gz", source: "linux-doc-6.12" },
  { module: "rt_addr", file: "rt-addr.yaml", source: "shared" },
  { module: "rt_link", file: "rt-link.yaml", source: "shared" },
  { module: "rt_neigh", file: "rt-neigh.yaml", source: "shared" },
  { module: "rt_netns", file: "rt-netns.yaml", source: "repo" },
  { module: "rt_route", file: "rt-route.yaml", source: "shared" },
  { module: "rt_rule", file: "rt-rule.yaml", source: "shared" },
  { module: "tc", file: "tc.yaml", source: "shared" },
  { module: "tcp_metrics", file: "tcp_metrics.yaml.gz", source: "linux-doc-6.12" },
  { module: "team", file: "team.yaml.gz", source: "linux-doc-6.12" },
  { module: "wireguard", file: "wireguard.yaml", source: "shared" },
];

/** The spec file of a family source. */
export function specPath(f: FamilySource): string {
  return join(
    f.source === "shared" ? SHARED : f.source === "repo" ? REPO_SPECS : LINUX_DOC,
    f.file,
  );
}

/** The module text of a family source (as `nlts ynl gen` writes it). */
export function generateFamily(f: FamilySource): string {
  return generateModule(specPath(f), {
    kernel: f.source === "shared"
      ? "a kernel newer than 6.12"
      : f.source === "repo"
      ? "the uapi headers"
      : "6.12",
    specName: f.file.replace(/\.gz$/, ""),
  });
}

/** The spec files present in a folder, by module name. */
export function specsIn(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir).sort()) {
    const m = /^(.*)\.yaml(\.gz)?$/.exec(f);
    if (m === null || /^(genetlink|netlink-raw)/.test(m[1])) continue;
    out.set(moduleName(m[1]), f);
  }
  return out;
}

if (import.meta.main) {
  for (const f of FAMILIES) {
    if (!existsSync(specPath(f))) {
      console.error(`skipped ${f.module}: ${specPath(f)} is absent`);
      continue;
    }
    writeFileSync(join(ROOT, "src", "families", `${f.module}.ts`), generateFamily(f));
    console.log(`src/families/${f.module}.ts <- ${specPath(f)}`);
  }
}
