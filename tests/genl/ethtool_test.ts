// The ethtool family (src/genl/ethtool.ts) against the running kernel, in network namespaces of
// the tests' own; the ethtool(8) program is the independent peer (installed by
// `apt-get install ethtool`; the comparisons are skipped without it). Also: the bitset helpers
// on hand-made bitsets, and the request schemas of netdev and ethtool checked against the
// kernel's own policy dump.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  type AttrPolicy,
  bitsetActive,
  bitsetAttrs,
  bitsetValues,
  Controller,
  ETH_SS,
  ethtool,
  type FamilySpec,
  GenlSocket,
  netdev,
  type RequestOf,
  stringSetOf,
} from "../../src/genl/mod.ts";
import { type AttrField, type AttrSet, NetlinkError, NetlinkWriter } from "../../mod.ts";
import { ipIn, run, tempNetns } from "../helpers/netns.ts";

const hasEthtool = (() => {
  try {
    run("ethtool", ["--version"]);
    return true;
  } catch {
    return false;
  }
})();

const NEED_ETHTOOL = "ethtool(8) is the peer these tests compare with: apt-get install ethtool";

/** Runs ethtool(8) inside namespace `ns`. */
function ethtoolIn(ns: string, args: string[]): string {
  return run("ip", ["netns", "exec", ns, "ethtool", ...args]);
}

/** A namespace with one veth pair `et0`/`et1`, both up. */
function vethNetns(): { name: string; [Symbol.dispose](): void } {
  const ns = tempNetns("nlts-et");
  ipIn(ns.name, ["link", "add", "et0", "type", "veth", "peer", "name", "et1"]);
  ipIn(ns.name, ["link", "set", "et0", "up"]);
  ipIn(ns.name, ["link", "set", "et1", "up"]);
  return ns;
}

/** The names of ETH_SS.FEATURES (a global set: the header names no device). */
function featureNames(genl: GenlSocket): string[] {
  const r = genl.family(ethtool).doSync("strset-get", {
    header: {},
    stringsets: { stringset: [{ id: ETH_SS.FEATURES }] },
  }, { strict: true });
  const names = stringSetOf(r!, ETH_SS.FEATURES);
  assert.ok(names && names.length >= 60, `feature names (${names?.length})`);
  return names;
}

test("ethtool: bitsetValues / bitsetActive read compact and verbose bitsets", () => {
  const names = ["a", "b", "c"];
  // compact, nomask: every bit below size
  const compact = { nomask: true as const, size: 3, value: new Uint8Array([0b101, 0, 0, 0]) };
  assert.deepEqual(bitsetValues(compact, names), { a: true, b: false, c: true });
  assert.deepEqual(bitsetActive(compact, names), ["a", "c"]);
  // compact with a mask: only the masked bits
  const masked = {
    size: 3,
    value: new Uint8Array([0b101, 0, 0, 0]),
    mask: new Uint8Array([0b110, 0, 0, 0]),
  };
  assert.deepEqual(bitsetValues(masked, names), { b: false, c: true });
  assert.deepEqual(bitsetActive(masked, names), ["c"]); // bit 0 is on but outside the mask
  // compact, two words, no names: bits are called bit<index>
  const wide = { nomask: true as const, size: 40, value: new Uint8Array([1, 0, 0, 0, 2, 0, 0, 0]) };
  assert.deepEqual(bitsetActive(wide), ["bit0", "bit33"]);
  assert.equal(Object.keys(bitsetValues(wide)).length, 40);
  // verbose list (nomask): the listed bits are the set ones
  const list = {
    nomask: true as const,
    size: 3,
    bits: { bit: [{ index: 0, name: "a" }, { index: 2, name: "c" }] },
  };
  assert.deepEqual(bitsetValues(list), { a: true, c: true });
  // verbose with mask: the value flag says on/off; an empty name falls back to the strset/index
  const verbose = {
    size: 3,
    bits: { bit: [{ index: 0, name: "a", value: true as const }, { index: 1, name: "" }] },
  };
  assert.deepEqual(bitsetValues(verbose, names), { a: true, b: false });
  assert.deepEqual(bitsetActive({ size: 3, bits: {} }), []);
  assert.throws(() => bitsetValues(null as never), TypeError);

  // The schema round-trips both forms.
  for (const b of [compact, masked, wide, list, verbose]) {
    const w = new NetlinkWriter();
    bitsetAttrs.encode(w, b);
    assert.deepEqual(bitsetAttrs.decode(w.bytes(), 0, w.length, { strict: true }), b);
  }
});

test("ethtool: the spec's operations exist in this kernel with the declared do/dump", () => {
  using ctrl = Controller.open();
  const fam = ctrl.getFamilySync("ethtool");
  const byId = new Map(fam.ops.map((o) => [o.id, o.flags]));
  for (const [name, o] of Object.entries(ethtool.operations)) {
    const flags = byId.get(o.cmd);
    assert.ok(flags, `${name} (cmd ${o.cmd}) exists`);
    assert.equal(flags.includes("cmdCapDo"), (o as { do?: boolean }).do ?? true, `${name} do`);
    assert.equal(flags.includes("cmdCapDump"), (o as { dump?: boolean }).dump ?? false, name);
  }
  assert.deepEqual(fam.groups.map((g) => g.name), [...ethtool.mcastGroups]);
  assert.equal(fam.version, ethtool.version);
});

test("policy: Controller.getPolicy('ethtool') decodes; the header's policy", async () => {
  using ctrl = Controller.open();
  const p = await ctrl.getPolicy("ethtool");
  const linkinfoDo = p.ops.get(ethtool.operations["linkinfo-get"].cmd)?.do;
  assert.equal(typeof linkinfoDo, "number");
  const header = p.policies.get(linkinfoDo!)!.find((a) => a.attr === 1)!; // ETHTOOL_A_LINKINFO_HEADER
  assert.equal(header.type, "nested");
  const h = new Map(p.policies.get(header.policyIdx!)!.map((a) => [a.attr, a]));
  assert.equal(h.get(1)?.type, "u32"); // dev-index
  // dev-name: NLA_NUL_STRING of at most ALTIFNAMSIZ - 1 bytes (altnames are accepted).
  assert.equal(h.get(2)?.type, "nulString");
  assert.equal(h.get(2)?.maxLength, 127);
  // ... and the schema refuses longer names before sending.
  const set = ethtool.operations["linkinfo-get"].request;
  set.encode(new NetlinkWriter(), { header: { devName: "x".repeat(127) } });
  assert.throws(
    () => set.encode(new NetlinkWriter(), { header: { devName: "x".repeat(128) } }),
    RangeError,
  );
  // flags: a u32 whose valid bits are COMPACT_BITSETS | OMIT_REPLY (STATS only for stats ops).
  assert.equal(h.get(3)?.type, "u32");
  assert.equal(h.get(3)?.mask, 3n);
});

/** The codec "type" words a kernel policy type accepts. */
function accepts(policy: AttrPolicy, field: AttrField): boolean {
  const type = field.codec.type; // "u32", "enum u8", "flags u64", "nest header", "binary", ...
  const base = type.split(" ").at(-1)!;
  switch (policy.type) {
    case "flag":
      return type === "flag";
    case "nulString":
    case "string":
      return type === "string";
    case "binary":
      return type.startsWith("binary");
    case "nested":
      return type.startsWith("nest ");
    case "nestedArray":
      return type.startsWith("indexed-array") || field.codec.repeated;
    case "bitfield32":
      return type === "struct nla-bitfield32";
    default:
      return base === policy.type;
  }
}

/** Checks every attribute of policy `idx` against `set`, recursing into nested policies. */
function checkPolicy(
  policies: Map<number, AttrPolicy[]>,
  idx: number,
  set: AttrSet<never>,
  where: string,
  seen: Set<string>,
): number {
  const key = `${idx}:${set.name}`;
  if (seen.has(key)) return 0;
  seen.add(key);
  let checked = 0;
  // A spec older than the kernel (ethtool.yaml is 6.12's, this kernel newer) lacks the
  // attributes added since: those only may be missing, and only above the set's last number.
  const last = Math.max(0, ...set.fields.map((x) => x.type));
  for (const a of policies.get(idx) ?? []) {
    const f = set.field(a.attr);
    if (!f && a.attr > last) continue;
    assert.ok(f, `${where}: kernel attribute ${a.attr} (${a.type}) is in ${set.name}`);
    assert.ok(accepts(a, f), `${where}.${f.name}: kernel ${a.type}, schema ${f.codec.type}`);
    checked++;
    if (a.policyIdx !== undefined) {
      const inner = f.codec as { set?: AttrSet<never>; inner?: { set?: AttrSet<never> } };
      const nested = inner.set ?? inner.inner?.set;
      assert.ok(nested, `${where}.${f.name} is a nest with a set`);
      checked += checkPolicy(policies, a.policyIdx, nested, `${where}.${f.name}`, seen);
    }
  }
  return checked;
}

test("policy: netdev and ethtool request schemas agree with the kernel's policy dump", async () => {
  using ctrl = Controller.open();
  for (const spec of [netdev, ethtool] as FamilySpec[]) {
    const p = await ctrl.getPolicy(spec.name);
    const byCmd = new Map(
      Object.entries(spec.operations).map(([n, o]) => [o.cmd, [n, o] as const]),
    );
    let checked = 0;
    for (const [cmd, { do: d, dump }] of p.ops) {
      // Linux reports a dump-only operation under command 0 (ctrl_dumppolicy_put_op() takes
      // the command from the absent "do" half); netdev's only one is qstats-get.
      const entry = byCmd.get(cmd === 0 && spec.name === "netdev" ? 12 : cmd);
      if (!entry) continue; // an operation this module does not describe (ethtool has ~50)
      const [name, o] = entry;
      // the operation's whole set: the kernel's policy may take more than a request lists
      const set = (o.reply ?? o.request ?? spec.attrs) as AttrSet<never>;
      for (const idx of [d, dump]) {
        if (idx !== undefined) {
          checked += checkPolicy(p.policies, idx, set, `${spec.name}.${name}`, new Set());
        }
      }
    }
    assert.ok(checked >= 10, `${spec.name}: ${checked} attribute policies checked`);
  }
});

test("ethtool: linkinfo, linkmodes and linkstate of a veth agree with ethtool(8)", () => {
  using ns = vethNetns();
  using genl = GenlSocket.open({ netns: ns.name });
  const fam = genl.family(ethtool);
  const header = { devName: "et0" };
  const info = fam.doSync("linkinfo-get", { header }, { strict: true })!;
  const modes = fam.doSync("linkmodes-get", { header }, { strict: true })!;
  const state = fam.doSync("linkstate-get", { header }, { strict: true })!;
  assert.equal(info.header?.devName, "et0");
  assert.equal(
    info.header?.devIndex,
    JSON.parse(ipIn(ns.name, ["-j", "link", "show", "et0"]))[0].ifindex,
  );
  // ethtool.yaml gives these u8s no enum: PORT_TP 0, XCVR_INTERNAL 0, ETH_TP_MDI_INVALID 0,
  // DUPLEX_FULL 1 (<linux/ethtool.h>)
  assert.deepEqual([info.port, info.transceiver, info.phyaddr, info.tpMdix], [0, 0, 0, 0]);
  assert.deepEqual([modes.speed, modes.duplex, modes.autoneg], [10000, 1, 0]);
  assert.equal(state.link, 1);
  // veth advertises no link modes; the bitset is as wide as the link-mode string set.
  const ss = fam.doSync("strset-get", {
    header: {},
    stringsets: { stringset: [{ id: ETH_SS.LINK_MODES }] },
  });
  assert.equal(modes.ours?.size, stringSetOf(ss!, ETH_SS.LINK_MODES)?.length);
  assert.deepEqual(bitsetActive(modes.ours!), []);
  // Channels: veth reports its queues.
  const ch = fam.doSync("channels-get", { header }, { strict: true })!;
  assert.equal(typeof ch.rxCount, "number");

  assert.ok(hasEthtool, NEED_ETHTOOL); // the independent peer of these checks
  const out = ethtoolIn(ns.name, ["et0"]);
  const field = (k: string) => new RegExp(`^\\s*${k}: (.*)$`, "m").exec(out)?.[1];
  assert.equal(field("Speed"), `${modes.speed}Mb/s`);
  assert.equal(field("Duplex"), "Full");
  assert.equal(field("Auto-negotiation"), "off");
  assert.equal(field("Port"), "Twisted Pair");
  assert.equal(field("PHYAD"), String(info.phyaddr));
  assert.equal(field("Transceiver"), "internal");
  assert.equal(field("MDI-X"), "Unknown");
  assert.equal(field("Link detected"), "yes");
});

test("ethtool: Family.decode without an op decodes a reply with its op's reply set (ethtool numbers replies apart)", () => {
  using ns = vethNetns();
  using genl = GenlSocket.open({ netns: ns.name });
  const fam = genl.family(ethtool);
  const [m] = genl.socket.requestSync(
    fam.encode("features-get", { header: { devName: "et0" } }),
  );
  // The reply's cmd (ETHTOOL_MSG_FEATURES_GET_REPLY, 11) is not an event of ethtool's: it names
  // the features-get operation, whose reply set decodes it (the family's main set would not).
  const d = fam.decode(m, { strict: true });
  assert.equal(d.event, "features-get");
  const byOp = fam.decode(m, { op: "features-get", strict: true });
  assert.deepEqual(d.attrs, byOp.attrs);
  assert.equal(d.attrs.header?.devName, "et0");
});

test("ethtool: features of a veth agree with ethtool -k (verbose and compact bitsets)", () => {
  using ns = vethNetns();
  using genl = GenlSocket.open({ netns: ns.name });
  const fam = genl.family(ethtool);
  const names = featureNames(genl);
  const verbose = fam.doSync("features-get", { header: { devName: "et0" } }, { strict: true })!;
  const compact = fam.doSync("features-get", {
    header: { devName: "et0", flags: ["compactBitsets"] },
  }, { strict: true })!;
  assert.ok(verbose.active?.bits !== undefined && verbose.active.nomask === true);
  assert.ok(compact.active?.value instanceof Uint8Array && compact.active.bits === undefined);
  const active = bitsetActive(verbose.active!);
  assert.deepEqual(bitsetActive(compact.active!, names), active);
  assert.deepEqual(bitsetActive(compact.hw!, names), bitsetActive(verbose.hw!));
  assert.deepEqual(bitsetActive(compact.nochange!, names), bitsetActive(verbose.nochange!));
  assert.ok(active.includes("tx-checksum-ip-generic") && active.includes("highdma"), `${active}`);
  const values = bitsetValues(compact.active!, names);
  assert.equal(Object.keys(values).length, compact.active!.size);

  assert.ok(hasEthtool, NEED_ETHTOOL); // the independent peer of these checks
  // ethtool -k prints each feature by its name, except a few under their legacy names.
  const legacy: Record<string, string> = {
    "rx-checksumming": "rx-checksum",
    "generic-segmentation-offload": "tx-generic-segmentation",
    "generic-receive-offload": "rx-gro",
    "large-receive-offload": "rx-lro",
    "rx-vlan-offload": "rx-vlan-hw-parse",
    "tx-vlan-offload": "tx-vlan-hw-insert",
    "ntuple-filters": "rx-ntuple-filter",
    "receive-hashing": "rx-hashing",
  };
  const groups = new Set([
    "tx-checksumming",
    "scatter-gather",
    "tcp-segmentation-offload",
    "udp-fragmentation-offload",
  ]);
  const hw = bitsetValues(verbose.hw!);
  const nochange = new Set(bitsetActive(verbose.nochange!));
  let compared = 0;
  for (const line of ethtoolIn(ns.name, ["-k", "et0"]).split("\n")) {
    const m = /^\t?(\S+): (on|off)(.*)$/.exec(line);
    if (!m) continue;
    if (groups.has(m[1])) continue;
    const name = legacy[m[1]] ?? m[1];
    assert.ok(names.includes(name), `ethtool's ${m[1]} is a feature (${name})`);
    assert.equal(active.includes(name), m[2] === "on", `${name} on/off`);
    const fixed = m[3].includes("[fixed]");
    assert.equal(fixed, hw[name] !== true || nochange.has(name), `${name} fixed`);
    compared++;
  }
  assert.ok(compared >= 50, `${compared} features compared`);
});

test("ethtool: strset-get: global sets, per-device stats names = ethtool -S, dump", () => {
  using ns = vethNetns();
  using genl = GenlSocket.open({ netns: ns.name });
  const fam = genl.family(ethtool);
  // Without a device: the global sets, strings included.
  const global = fam.doSync("strset-get", { header: {} }, { strict: true })!;
  const ids = global.stringsets?.stringset?.map((s) => s.id) ?? [];
  for (const id of [ETH_SS.FEATURES, ETH_SS.LINK_MODES, ETH_SS.MSG_CLASSES, ETH_SS.WOL_MODES]) {
    assert.ok(ids.includes(id), `global set ${id}`);
  }
  const features = stringSetOf(global, ETH_SS.FEATURES)!;
  assert.equal(features[0], "tx-scatter-gather"); // NETIF_F_SG_BIT
  // countsOnly (honoured together with a stringsets list): counts without strings.
  const counts = fam.doSync("strset-get", {
    header: {},
    stringsets: { stringset: [{ id: ETH_SS.FEATURES }] },
    countsOnly: true,
  }, { strict: true })!;
  assert.deepEqual(counts.stringsets?.stringset?.map((s) => [s.id, s.count, s.strings]), [
    [ETH_SS.FEATURES, features.length, undefined],
  ]);
  // With a device: its own sets (veth has driver statistics).
  const dev = fam.doSync("strset-get", { header: { devName: "et0" } }, { strict: true })!;
  const stats = stringSetOf(dev, ETH_SS.STATS)!;
  assert.ok(stats.includes("peer_ifindex"), `${stats}`);
  // A dump has one reply per device.
  const dump = fam.dumpSync("strset-get", { header: {} }, { strict: true });
  assert.deepEqual(dump.map((m) => m.attrs.header?.devName).sort(), ["et0", "et1", "lo"]);
  assert.ok(hasEthtool, NEED_ETHTOOL); // the independent peer of these checks
  const names = [...ethtoolIn(ns.name, ["-S", "et0"]).matchAll(/^\s+(\S+): /gm)].map((m) => m[1]);
  assert.deepEqual(names, stats);
});

test("ethtool: extended ack: bad requests name the attribute (.header.dev-name, ...)", () => {
  using ns = vethNetns();
  using genl = GenlSocket.open({ netns: ns.name });
  const fam = genl.family(ethtool);
  const fails = (
    attrs: RequestOf<typeof ethtool, "linkinfo-get">,
    code: string,
    message: string | undefined,
    path: string | undefined,
  ) =>
    assert.throws(() => fam.doSync("linkinfo-get", attrs), (e: unknown) => {
      assert.ok(e instanceof NetlinkError, String(e));
      assert.equal(e.code, code);
      assert.equal(e.operation, "ethtool.linkinfo-get");
      assert.equal(e.extAck?.message, message);
      assert.equal(e.extAck?.attributePath, path);
      return true;
    });
  fails(
    { header: { devName: "nlts-nodev0" } },
    "ENODEV",
    "no device matches name",
    ".header.dev-name",
  );
  fails(
    { header: { devIndex: 0x7ffffff0 } },
    "ENODEV",
    "no device matches ifindex",
    ".header.dev-index",
  );
  fails(
    { header: { devIndex: 1, devName: "et0" } },
    "ENODEV",
    "ifindex and name do not match",
    ".header",
  );
  // STATS is not a valid flag for linkinfo (the policy's mask is 3).
  fails(
    { header: { devName: "et0", flags: ["stats"] } },
    "EINVAL",
    "reserved bit set",
    ".header.flags",
  );
  // No header at all: the kernel names the missing attribute.
  assert.throws(
    () => fam.doSync("linkinfo-get", {}),
    (e: unknown) =>
      e instanceof NetlinkError && e.code === "EINVAL" && e.extAck?.missingName === ".header",
  );
});

test("ethtool: features-set turns rx-gro on; features-ntf arrives on monitor in the namespace", async () => {
  using ns = vethNetns();
  using genl = GenlSocket.open({ netns: ns.name });
  const fam = genl.family(ethtool);
  const names = featureNames(genl);
  const before = fam.doSync("features-get", { header: { devName: "et0" } })!;
  assert.equal(bitsetActive(before.active!).includes("rx-gro"), false, "veth starts without GRO");

  const ac = new AbortController();
  const it = fam.subscribe(["monitor"], { netns: ns.name, signal: ac.signal })
    [Symbol.asyncIterator]();
  const next = it.next(); // joins the group now
  try {
    const replies = fam.requestSync("features-set", {
      header: { devName: "et0" },
      wanted: { bits: { bit: [{ name: "rx-gro", value: true }] } }, // a mask: change only rx-gro
    }, { strict: true });
    // The reply (FEATURES_SET_REPLY) lists what changed in `active`.
    assert.equal(replies.length, 1);
    assert.equal(replies[0].cmd, ethtool.operations["features-set"].replyCmd);
    assert.deepEqual(bitsetActive(replies[0].attrs.active!), ["rx-gro"]);

    let timer: ReturnType<typeof setTimeout> | undefined;
    const r = await Promise.race([
      next,
      new Promise<never>((_, rej) => timer = setTimeout(() => rej(new Error("no ntf")), 5000)),
    ]).finally(() => clearTimeout(timer));
    const n = r.value!;
    assert.equal(n.event, "features-ntf");
    assert.equal(n.cmd, ethtool.events["features-ntf"].cmd);
    assert.equal(n.attrs.header?.devName, "et0");
    // Notifications carry compact bitsets: names come from the string set.
    const attrs = n.attrs as typeof replies[0]["attrs"];
    assert.ok(bitsetActive(attrs.active!, names).includes("rx-gro"));
  } finally {
    ac.abort();
    await it.return?.();
  }
  assert.ok(hasEthtool, NEED_ETHTOOL);
  assert.match(ethtoolIn(ns.name, ["-k", "et0"]), /^generic-receive-offload: on$/m);
});
