// `nlts link`, `nlts addr`, `nlts route` in a namespace of the test's own: iproute2's words make
// the same links, addresses and routes as ip would, `--json` names what `ip -j -d` names with the
// same values, text output reads like ip's, and exit statuses say usage (2) from kernel (1) errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { main } from "../../src/cli/main.ts";
import { canUseNetns, tempNetns } from "../helpers/netns.ts";
import { assertShownAlike, ipJson, type Obj } from "../route/_helpers.ts";

const skip = canUseNetns() ? false : "needs root and iproute2 (ip netns)";

async function nlts(args: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = "", err = "";
  const status = await main(args, {
    out: (s) => out += s,
    err: (s) => err += s,
    signal: new AbortController().signal,
  });
  return { status, out, err };
}

async function ok(args: string[]): Promise<string> {
  const r = await nlts(args);
  assert.equal(r.status, 0, `nlts ${args.join(" ")}: ${r.err}`);
  return r.out;
}

test(
  "cli route: links, addresses and routes made with ip's words, shown like ip -j",
  { skip },
  async () => {
    using ns = tempNetns("rtcli");
    const n = ["--netns", ns.name];
    await ok(["link", "add", "ve0", "type", "veth", "peer", "name", "ve1", ...n]);
    await ok(["link", "add", "br0", "type", "bridge", "stp_state", "1", "up", ...n]);
    await ok(["link", "set", "ve0", "master", "br0", "up", "mtu", "1400", ...n]);
    await ok(["link", "set", "lo", "up", ...n]);
    await ok([
      "link",
      "add",
      "vx0",
      "type",
      "vxlan",
      "id",
      "42",
      "remote",
      "192.0.2.1",
      "dstport",
      "4789",
      "nolearning",
      ...n,
    ]);
    await ok(["link", "add", "mv0", "link", "ve1", "type", "macvlan", "mode", "bridge", ...n]);
    await ok(["addr", "add", "10.0.0.1/24", "dev", "br0", "brd", "+", ...n]);
    await ok(["addr", "add", "2001:db8::1/64", "dev", "br0", "nodad", ...n]);
    await ok([
      "route",
      "add",
      "10.9.0.0/16",
      "via",
      "10.0.0.2",
      "metric",
      "5",
      "mtu",
      "1400",
      ...n,
    ]);
    await ok(["route", "add", "blackhole", "10.7.0.0/16", "proto", "static", ...n]);
    await ok([
      "route",
      "add",
      "10.8.0.0/16",
      "table",
      "100",
      "nexthop",
      "via",
      "10.0.0.2",
      "dev",
      "br0",
      "nexthop",
      "via",
      "10.0.0.3",
      "dev",
      "br0",
      "weight",
      "2",
      ...n,
    ]);
    await ok(["route", "add", "2001:db8:5::/48", "via", "2001:db8::2", "pref", "high", ...n]);

    const links = JSON.parse(await ok(["link", "show", "--json", ...n])) as Obj[];
    const ipLinks = ipJson(ns.name, ["-d", "link", "show"]);
    assert.equal(links.length, ipLinks.length);
    for (const l of links) {
      assertShownAlike(l, ipLinks.find((x) => x.ifindex === l.ifindex), String(l.ifname));
    }
    assert.ok(JSON.stringify(links).includes('"info_kind":"vxlan"'));
    const one = JSON.parse(await ok(["link", "show", "vx0", "--json", ...n])) as Obj[];
    assertShownAlike(one, ipJson(ns.name, ["-d", "link", "show", "vx0"]), "vx0");

    const addrs = JSON.parse(await ok(["addr", "show", "--json", ...n]));
    assertShownAlike(addrs, ipJson(ns.name, ["addr", "show"]), "addr");
    const br0 = JSON.parse(await ok(["addr", "show", "dev", "br0", "-4", "--json", ...n]));
    assertShownAlike(br0, ipJson(ns.name, ["-4", "addr", "show", "dev", "br0"]), "addr br0");

    for (
      const [ours, theirs] of [
        [["route", "show"], ["route", "show"]],
        [["route", "show", "-6"], ["-6", "route", "show"]],
        [["route", "show", "table", "all"], ["-4", "route", "show", "table", "all"]],
        [["route", "show", "table", "100"], ["route", "show", "table", "100"]],
      ]
    ) {
      const mine = JSON.parse(await ok([...ours, "--json", ...n]));
      assertShownAlike(mine, ipJson(ns.name, theirs), ours.join(" "));
    }
    const got = JSON.parse(await ok(["route", "get", "10.9.1.1", "--json", ...n])) as Obj[];
    assert.deepEqual([got[0].dst, got[0].gateway, got[0].dev], ["10.9.1.1", "10.0.0.2", "br0"]);

    // text reads like ip's
    const text = await ok(["route", "show", ...n]);
    assert.match(text, /^10\.9\.0\.0\/16 via 10\.0\.0\.2 dev br0 metric 5 .*mtu 1400$/m);
    assert.match(
      text,
      /^blackhole 10\.7\.0\.0\/16 proto static $|^blackhole 10\.7\.0\.0\/16 proto static/m,
    );
    assert.match(
      await ok(["link", "show", "vx0", ...n]),
      /^\d+: vx0: <BROADCAST,MULTICAST> mtu 1500 /,
    );
    assert.match(
      await ok(["addr", "show", "br0", ...n]),
      /inet 10\.0\.0\.1\/24 brd 10\.0\.0\.255 scope global br0/,
    );

    // changes and deletions
    await ok(["link", "set", "ve0", "nomaster", "name", "up0", ...n]);
    assert.equal(ipJson(ns.name, ["link", "show", "up0"])[0].master, undefined);
    await ok(["route", "del", "10.8.0.0/16", "table", "100", ...n]);
    await ok(["addr", "del", "10.0.0.1/24", "dev", "br0", ...n]);
    await ok(["link", "del", "vx0", ...n]);
    assert.ok(
      !ipJson(ns.name, ["link", "show"]).some((l) => l.ifname === "vx0"),
    );
    assert.equal(ipJson(ns.name, ["route", "show", "table", "100"]).length, 0);
  },
);

test(
  "cli route: usage errors exit 2 before any socket opens, kernel errors exit 1",
  { skip },
  async () => {
    using ns = tempNetns("rtcli");
    const n = ["--netns", ns.name];
    const usage = [
      ["link", "add", "x0"],
      ["link", "add", "x0", "type", "veth", "peer"],
      ["link", "set", "lo"],
      ["link", "set", "lo", "mtu", "big"],
      ["addr", "add", "10.0.0.1/24"],
      ["route", "add", "10.0.0.0/8", "wormhole", "1"],
      ["route", "show", "--family", "ipx"],
    ];
    for (const args of usage) {
      const r = await nlts([...args, ...n]);
      assert.equal(r.status, 2, `${args.join(" ")}: ${r.err}`);
      assert.match(r.err, /^nlts: /);
    }
    const exists = await nlts(["link", "add", "lo", "type", "dummy", ...n]);
    assert.equal(exists.status, 1);
    assert.match(exists.err, /EEXIST/);
    const missing = await nlts(["link", "del", "nope0", ...n]);
    assert.equal(missing.status, 1);
    assert.match(missing.err, /ENODEV/);
    const help = await nlts(["route", "--help"]);
    assert.equal(help.status, 0);
    assert.match(help.out, /nexthop via GW dev DEV weight N/);
  },
);
