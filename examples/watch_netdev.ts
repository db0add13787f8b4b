/**
 * Prints the netdev family's "mgmt" notifications (devices added, removed, changed) of the
 * current network namespace, one line each, until Ctrl-C or `--count N` notifications.
 * `--event NAME` keeps only one kind (dev-add-ntf, dev-del-ntf, dev-change-ntf). Run:
 *
 *   deno run -A examples/watch_netdev.ts [--count N] [--event NAME]
 *   bun examples/watch_netdev.ts [--count N] [--event NAME]
 *   ip netns exec NS bun examples/watch_netdev.ts    # another namespace
 *
 * A line reads `dev-add-ntf ifindex=5 xdp-features=basic,redirect,rxSg`. "watching" goes to
 * stderr once the subscription is in place.
 *
 * @module
 */
import process from "node:process";
import { GenlSocket, netdev } from "../mod.ts";

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const count = Number(option("--count") ?? Infinity);
const only = option("--event");
if (!(count > 0) || (only !== undefined && !(only in netdev.events))) {
  console.error(
    `usage: watch_netdev.ts [--count N] [--event ${Object.keys(netdev.events).join("|")}]`,
  );
  process.exit(2);
}

using genl = GenlSocket.open();
const ac = new AbortController();
process.on("SIGINT", () => ac.abort());
// Subscribed when subscribe() returns: no event after this line is missed.
using events = genl.family(netdev).subscribe(["mgmt"], { signal: ac.signal });
console.error("watching netdev mgmt notifications");

const list = (v: readonly unknown[] | undefined) => v?.join(",") || "-";
let printed = 0;
for await (const n of events) {
  if (only !== undefined && n.event !== only) continue;
  // `event` narrows the attributes to that event's set.
  if (n.event === "dev-add-ntf" || n.event === "dev-del-ntf" || n.event === "dev-change-ntf") {
    const a = n.attrs;
    console.log(
      `${n.event} ifindex=${a.ifindex} xdp-features=${list(a.xdpFeatures)} ` +
        `xdp-rx-metadata=${list(a.xdpRxMetadataFeatures)} xsk=${list(a.xskFeatures)}`,
    );
  } else {
    console.log(
      `${n.event} ${JSON.stringify(n.attrs, (_k, v) => typeof v === "bigint" ? `${v}` : v)}`,
    );
  }
  if (++printed >= count) break;
}
ac.abort();
