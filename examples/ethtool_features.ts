/**
 * Prints the active offload features of a network device, like the "on" lines of
 * `ethtool -k DEV`, through the ethtool generic netlink family: one features-get request with
 * compact bitsets, named by the kernel's feature string set (strset-get). Run:
 *
 *   deno run -A examples/ethtool_features.ts DEV [--all]
 *   bun examples/ethtool_features.ts DEV [--all]
 *
 * `--all` prints every feature as `name: on|off`, with ` [fixed]` when it cannot be changed.
 *
 * @module
 */
import process from "node:process";
import {
  bitsetActive,
  bitsetValues,
  ETH_SS,
  ethtool,
  GenlSocket,
  NetlinkError,
  stringSetOf,
} from "../mod.ts";

const args = process.argv.slice(2);
const all = args.includes("--all");
const dev = args.find((a) => !a.startsWith("--"));
if (dev === undefined) {
  console.error("usage: ethtool_features.ts DEV [--all]");
  process.exit(2);
}

using genl = GenlSocket.open();
const fam = genl.family(ethtool);
// Compact bitsets carry no names: they are the strings of ETH_SS_FEATURES, by bit index.
const strset = fam.doSync("strset-get", {
  header: {},
  stringsets: { stringset: [{ id: ETH_SS.FEATURES }] },
});
const names = stringSetOf(strset!, ETH_SS.FEATURES) ?? [];
let f;
try {
  f = fam.doSync("features-get", { header: { devName: dev, flags: ["compactBitsets"] } })!;
} catch (e) {
  if (!(e instanceof NetlinkError)) throw e;
  console.error(e.message); // e.g. "... ENODEV ...: no device matches name (bad attribute: ...)"
  process.exit(1);
}

if (!all) {
  for (const name of bitsetActive(f.active!, names)) console.log(name);
} else {
  const changeable = bitsetValues(f.hw!, names);
  const nochange = new Set(bitsetActive(f.nochange!, names));
  for (const [name, on] of Object.entries(bitsetValues(f.active!, names))) {
    if (!names.includes(name)) continue; // an unused bit (no name)
    const fixed = !changeable[name] || nochange.has(name) ? " [fixed]" : "";
    console.log(`${name}: ${on ? "on" : "off"}${fixed}`);
  }
}
