// The YNL engine (src/ynl): every linux-doc-6.12 spec (and every newer one in ../shared/ynl-specs)
// loads; loaded families talk to the running kernel (nlctrl, netdev, ethtool, rt-link, rt-addr,
// rt-route) and agree with iproute2 and the hand-written descriptions; the constructs the
// hand-written families never needed (sub-messages, checks, errata, subsets) round-trip; bad
// specs fail with the path inside the spec.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { GenlSocket, nlctrl } from "../../src/genl/mod.ts";
import { DecodeError, NetlinkWriter } from "../../src/protocol/mod.ts";
import {
  generateModule,
  listSpecs,
  loadGenlSpec,
  loadRawSpec,
  loadSpec,
  parseSpecText,
  RawFamily,
  readSpecText,
  YnlSpecError,
} from "../../src/ynl/mod.ts";
import { load as loadYaml } from "js-yaml";
import { blankNestedDocs } from "../../src/ynl/_docs.ts";
import { ipIn, tempNetns } from "../helpers/netns.ts";

const LINUX_DOC = "/usr/share/doc/linux-doc-6.12/Documentation/netlink/specs";
const SHARED = new URL("../../../shared/ynl-specs", import.meta.url).pathname;

function sharedSpecs(): string[] {
  if (!existsSync(SHARED)) return [];
  return readdirSync(SHARED).filter((f) => f.endsWith(".yaml")).map((f) => `${SHARED}/${f}`);
}

/** Every linux-doc-6.12 spec and every newer one in ../shared/ynl-specs (paths). */
function everySpec(): string[] {
  const files = [
    ...listSpecs({ dirs: [LINUX_DOC] }).filter((s) => s.dir === LINUX_DOC).map((s) => s.path),
    ...sharedSpecs(),
  ];
  assert.ok(files.length >= 19, "linux-doc-6.12 must be installed");
  return files;
}

test("ynl: every linux-doc-6.12 spec loads (19 families)", () => {
  const specs = listSpecs({ dirs: [LINUX_DOC] }).filter((s) => s.dir === LINUX_DOC);
  assert.equal(
    specs.length,
    19,
    "linux-doc-6.12 must be installed (apt-get install linux-doc-6.12)",
  );
  for (const s of specs) {
    const f = loadSpec(s.path);
    assert.ok(Object.keys(f.operations).length > 0, `${s.name} has operations`);
    assert.equal(f.kind, f.ynl.model.protocol === "netlink-raw" ? "raw" : "genl");
    assert.match(f.ynl.license ?? "", /BSD-3-Clause/, `${s.name} names its licence`);
  }
});

test("ynl: every newer spec in ../shared/ynl-specs loads", (t) => {
  const files = sharedSpecs();
  if (files.length === 0) {
    t.skip("../shared/ynl-specs is absent");
    return;
  }
  for (const f of files) {
    const fam = loadSpec(f);
    assert.ok(Object.keys(fam.operations).length > 0, f);
  }
});

test("ynl: parseSpecText (YAML 1.2 core schema; Bun: its native parser) gives what js-yaml's default schema gives on every spec", () => {
  for (const f of everySpec()) {
    const text = readSpecText(f);
    assert.deepEqual(parseSpecText(text, f), loadYaml(text), f);
  }
  // the core schema's values: hex, octal and plain integers; a date stays text
  assert.deepEqual(
    parseSpecText("a: 0x10\nb: 0o17\nc: -12\nd: 2024-01-01\ne: ~\nf: true\ng: 1.5\n"),
    { a: 16, b: 15, c: -12, d: "2024-01-01", e: null, f: true, g: 1.5 },
  );
  // text the native parser would take differently still fails as js-yaml says
  assert.throws(() => parseSpecText("name: [x\n", "bad.yaml"), /bad\.yaml.*YAML/s);
});

test("ynl: loadSpec's parse leaves plain scalars text, and its family is the one the core schema's parse gives, on every spec", () => {
  // (under Bun loadSpec's parse is the native one, typed as the core schema types)
  const same = (a: ReturnType<typeof loadSpec>, b: ReturnType<typeof loadSpec>, what: string) => {
    assert.deepEqual(a.ynl.model, b.ynl.model, what);
    assert.deepEqual(a.ynl.errata, b.ynl.errata, what);
    assert.deepEqual(Object.keys(a.operations), Object.keys(b.operations), what);
  };
  for (const f of everySpec()) {
    // the object the core schema makes of the text loadSpec parses (nested docs blanked)
    const core = parseSpecText(blankNestedDocs(readSpecText(f)), f) as object;
    same(loadSpec(f, { cache: false }), loadSpec(core, { file: f, cache: false }), f);
  }
  // every scalar the reader types, in the core schema's spellings
  const text = `name: x
doc: d
protocol: netlink-raw
protonum: 0x10
version: 0o2
definitions:
  - { name: c, type: const, value: 0x20 }
  - { name: e, type: enum, value-start: +3, entries: [a, { name: b, value: 0b110 }] }
  - { name: f, type: flags, entries: [{ name: g, value: 1_0 }] }
  - name: s
    type: struct
    members:
      - { name: m, type: u16, enum: e, enum-as-flags: True }
      - { name: p, type: pad, len: 0x2 }
attribute-sets:
  - name: a
    attributes:
      - { name: k, type: string }
      - { name: u, type: u32, value: 0x5, checks: { min: -0x1, max: 0xff } }
      - { name: l, type: binary, multi-attr: TRUE, checks: { max-len: c, min-len: 0o1 } }
      - { name: t, type: u64, enum: f, enum-as-flags: false }
      - { name: d, type: sub-message, sub-message: m, selector: k }
sub-messages:
  - { name: m, formats: [{ value: 0x10, fixed-header: s }, { value: vlan }] }
operations:
  list:
    - { name: get, value: 0x12, attribute-set: a, do: { request: { value: 0x13 } } }
mcast-groups:
  list: [{ name: g, value: 0x1 }]
`;
  same(
    loadSpec(text),
    loadSpec(parseSpecText(text) as object, { file: "<text>" }),
    "core spellings",
  );
  const m = loadSpec(text).ynl.model;
  assert.equal(m.protonum, 16);
  assert.deepEqual(m.subMessages.get("m")!.formats.map((f) => f.value), ["16", "vlan"]);
});

/** `doc` with the values of its `doc` keys below the top level replaced by "". */
function docsBlanked(doc: unknown, top = true): unknown {
  if (Array.isArray(doc)) return doc.map((x) => docsBlanked(x, false));
  if (typeof doc !== "object" || doc === null) return doc;
  return Object.fromEntries(
    Object.entries(doc).map(([k, v]) => [k, k === "doc" && !top ? "" : docsBlanked(v, false)]),
  );
}

test("ynl: loadSpec's parse differs only in the nested doc strings it blanks, line for line", () => {
  for (const f of everySpec()) {
    const text = readSpecText(f);
    const blanked = blankNestedDocs(text);
    assert.equal(blanked.split("\n").length, text.split("\n").length, `${f}: same lines`);
    // every nested doc is blanked (the saving), nothing else changes
    assert.deepEqual(parseSpecText(blanked, f), docsBlanked(loadYaml(text)), f);
  }
  // what the pattern is not sure of is left to the parser: quoted and flow values, a
  // comment after a block header, the top-level doc
  const kept = [
    'doc: top\nx:\n  doc: "quoted\n    on"\n',
    "doc: top\nx:\n  doc: [a, b]\n",
    "doc: top\nx:\n  doc: | # note\n    text\n",
    "doc: |\n  top\nx: 1\n",
  ];
  for (const k of kept) assert.equal(blankNestedDocs(k), k);
  assert.equal(
    blankNestedDocs("x:\n  doc: >-\n    one\n\n    two\n  y: 1\n  doc: plain\n    more\n"),
    'x:\n  doc: ""\n\n\n\n  y: 1\n  doc: ""\n\n',
  );
  // a YAML error after a doc is reported at its own line and column
  const bad = "name: d\ndoc: D.\nattribute-sets:\n  -\n    name: s\n    doc: |\n      one\n" +
    "      two\n    attributes: [x\n";
  const yamlError = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      return (e as Error).message;
    }
    assert.fail("no error");
  };
  assert.equal(
    yamlError(() => loadSpec(bad, { file: "bad.yaml" })),
    yamlError(() => parseSpecText(bad, "bad.yaml")),
  );
});

test("ynl: nlctrl loaded at run time resolves families like the generated nlctrl", () => {
  using genl = GenlSocket.open();
  const spec = loadGenlSpec("nlctrl", { dirs: [LINUX_DOC] });
  assert.ok(spec.ynl.errata.some((e) => /pad and mask swapped/.test(e)), "pad/mask corrected");
  assert.equal(spec.version, 2, "the controller's version (an erratum)");
  const fromSpec = genl.family(spec).doSync("getfamily", { familyName: "nlctrl" });
  const handWritten = genl.family(nlctrl).doSync("getfamily", { familyName: "nlctrl" });
  assert.equal(fromSpec?.familyId, 16);
  assert.deepEqual(fromSpec, handWritten);
  const policy = genl.family(spec).dumpSync("getpolicy", { familyName: "nlctrl" });
  const hand = genl.family(nlctrl).dumpSync("getpolicy", { familyName: "nlctrl" });
  assert.deepEqual(policy.map((m) => m.attrs), hand.map((m) => m.attrs));
});

test("ynl: a loaded family builds an operation's sets when the operation is first used", () => {
  using genl = GenlSocket.open();
  const spec = loadGenlSpec(`${LINUX_DOC}/ethtool.yaml.gz`);
  const pending = (op: string, key: string) =>
    Object.getOwnPropertyDescriptor(spec.operations[op], key)?.get !== undefined;
  const mainPending = () => Object.getOwnPropertyDescriptor(spec, "attrs")?.get !== undefined;
  assert.ok(pending("features-get", "reply") && pending("linkinfo-get", "request"));
  assert.ok(mainPending(), "the main set is built at its first read");
  const family = genl.family(spec); // checks the description without building every set
  assert.ok(pending("features-get", "reply") && pending("linkinfo-get", "request"));
  assert.ok(mainPending());
  const lo = family.doSync("features-get", { header: { devName: "lo" } });
  assert.equal(lo?.header?.devName, "lo");
  assert.ok(!pending("features-get", "reply") && !pending("features-get", "request"));
  assert.ok(pending("linkinfo-get", "request"), "an operation not used is not built");
  // the same objects on every read, and as the eager description lists them
  assert.equal(spec.operations["features-get"].reply, spec.ynl.sets.get("features"));
  assert.equal(spec.attrs, spec.ynl.sets.get("strset"), "the first operation's set");
  assert.ok(!mainPending());
  assert.deepEqual(
    Object.keys(spec),
    ["name", "version", "attrs", "operations", "events", "mcastGroups", "kind", "ynl"],
  );
  assert.deepEqual(
    Object.keys(spec.operations["features-get"]),
    ["cmd", "request", "reply", "do", "dump", "replyCmd"],
  );
});

test("ynl: a request encodes only the attributes its operation lists", () => {
  const spec = loadGenlSpec("nlctrl", { dirs: [LINUX_DOC] });
  // the spec lists family-name; an erratum adds family-id, which ctrl_getfamily() reads too
  const req = spec.operations.getfamily.request!;
  assert.deepEqual(req.fields.map((f) => f.name), ["family-name", "family-id"]);
  assert.throws(
    () => req.encode(new NetlinkWriter(), { familyName: "x", version: 2 } as never),
    /has no attribute "version"/,
  );
});

test("ynl: netdev dev-get from the spec matches ip link in a namespace", () => {
  using ns = tempNetns("ynl");
  ipIn(ns.name, ["link", "add", "v0", "type", "veth", "peer", "name", "v1"]);
  using genl = GenlSocket.open({ netns: ns.name });
  const netdev = genl.family(loadGenlSpec("netdev", { dirs: [LINUX_DOC] }));
  const got = netdev.dumpSync("dev-get").map((m) => m.attrs.ifindex).sort();
  const links = (JSON.parse(ipIn(ns.name, ["-j", "link"])) as { ifindex: number }[])
    .map((l) => l.ifindex).sort();
  assert.deepEqual(got, links);
});

test("ynl: ethtool features-get from the spec reads lo", () => {
  using genl = GenlSocket.open();
  const eth = genl.family(loadGenlSpec("ethtool", { dirs: [LINUX_DOC] }));
  const f = eth.doSync("features-get", { header: { devName: "lo" } });
  assert.equal(f?.header?.devName, "lo");
  assert.ok((f?.active?.bits?.bit ?? []).some((b: { name?: string }) => b.name === "loopback"));
});

test("ynl: rt-link, rt-addr and rt-route dumps agree with iproute2 in a namespace", () => {
  using ns = tempNetns("ynl");
  ipIn(ns.name, ["link", "add", "d0", "type", "veth", "peer", "name", "d1"]);
  ipIn(ns.name, ["link", "set", "d0", "up", "mtu", "1400"]);
  ipIn(ns.name, ["addr", "add", "10.9.8.7/24", "dev", "d0"]);
  ipIn(ns.name, ["addr", "add", "2001:db8::7/64", "dev", "d0", "nodad"]);
  ipIn(ns.name, ["route", "add", "10.20.0.0/16", "via", "10.9.8.1"]);
  for (const dir of [LINUX_DOC, ...(existsSync(SHARED) ? [SHARED] : [])]) {
    {
      using link = RawFamily.open(loadRawSpec("rt_link", { dirs: [dir] }), { netns: ns.name });
      const links = link.dumpSync("getlink");
      const ip = JSON.parse(ipIn(ns.name, ["-j", "link"])) as {
        ifindex: number;
        ifname: string;
        mtu: number;
      }[];
      assert.deepEqual(
        links.map((m) => [m.header.ifiIndex, m.attrs.ifname, m.attrs.mtu]).sort(),
        ip.map((l) => [l.ifindex, l.ifname, l.mtu]).sort(),
      );
      const d0 = links.find((m) => m.attrs.ifname === "d0")!;
      assert.deepEqual(d0.attrs.linkinfo?.kind, "veth");
      assert.ok((d0.header.ifiFlags as unknown[]).includes("up"));
      assert.match(String(d0.attrs.address), /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
      const [one] = link.requestSync("getlink", { ifname: "d0" });
      assert.equal(one.attrs.mtu, 1400);
    }
    {
      using addr = RawFamily.open(loadRawSpec("rt_addr", { dirs: [dir] }), { netns: ns.name });
      // linux-doc-6.12 names the attributes ifa-local..., the newer spec local...; IPv6
      // addresses carry only IFA_ADDRESS (iproute2 shows it as "local" then)
      const got = addr.dumpSync("getaddr").map((m) => {
        const a = m.attrs;
        return `${a.ifaLocal ?? a.local ?? a.ifaAddress ?? a.address}/${m.header.ifaPrefixlen}`;
      }).sort();
      const ip = (JSON.parse(ipIn(ns.name, ["-j", "addr"])) as {
        addr_info: { local: string; prefixlen: number }[];
      }[]).flatMap((l) => l.addr_info.map((a) => `${a.local}/${a.prefixlen}`)).sort();
      assert.deepEqual(got, ip);
    }
    {
      using route = RawFamily.open(loadRawSpec("rt_route", { dirs: [dir] }), { netns: ns.name });
      const routes = route.dumpSync("getroute", undefined, { header: { rtmFamily: 2 } });
      const via = routes.find((m) => (m.attrs.rtaDst ?? m.attrs.dst) === "10.20.0.0");
      assert.equal(via?.header.rtmDstLen, 16);
      assert.equal(via?.attrs.rtaGateway ?? via?.attrs.gateway, "10.9.8.1");
    }
  }
});

test("ynl: rt-link sub-messages (linkinfo data by kind) encode and decode", () => {
  using ns = tempNetns("ynl");
  using link = RawFamily.open(loadRawSpec("rt_link", { dirs: [LINUX_DOC] }), { netns: ns.name });
  // NLM_F_CREATE | NLM_F_EXCL
  link.requestSync("newlink", {
    ifname: "br0",
    linkinfo: { kind: "bridge", data: { maxAge: 2500, forwardDelay: 1000 } },
  }, { flags: 0x400 | 0x200 });
  const br = link.doSync("getlink", { ifname: "br0" })!;
  assert.equal(br.linkinfo?.kind, "bridge");
  const data = br.linkinfo?.data as { maxAge?: number; forwardDelay?: number };
  assert.equal(data.maxAge, 2500);
  assert.equal(data.forwardDelay, 1000);
  const ip = JSON.parse(ipIn(ns.name, ["-j", "-d", "link", "show", "br0"])) as {
    linkinfo: { info_kind: string; info_data: { max_age: number; forward_delay: number } };
  }[];
  assert.equal(ip[0].linkinfo.info_kind, "bridge");
  assert.equal(ip[0].linkinfo.info_data.max_age, 2500);
  assert.equal(ip[0].linkinfo.info_data.forward_delay, 1000);
});

test("ynl: a sub-message whose selector value has no format keeps its bytes", () => {
  const rtLink = loadRawSpec("rt_link", { dirs: [LINUX_DOC] });
  const info = rtLink.ynl.sets.get("linkinfo-attrs")!;
  const w = new NetlinkWriter();
  info.encode(w, { kind: "nosuchkind", data: new Uint8Array([8, 0, 1, 0, 7, 0, 0, 0]) });
  assert.deepEqual(info.decode(w.bytes()), {
    kind: "nosuchkind",
    data: new Uint8Array([8, 0, 1, 0, 7, 0, 0, 0]),
  });
  assert.throws(
    () => info.encode(new NetlinkWriter(), { kind: "nosuchkind", data: { id: 1 } }),
    /kind "nosuchkind" has no known format/,
  );
});

test("ynl: checks from the spec are enforced when encoding", () => {
  const spec = loadGenlSpec(`name: wg
doc: x
protocol: genetlink-legacy
definitions:
  - { name: key-len, type: const, value: 32, name-prefix: wg- }
attribute-sets:
  - name: wgdevice
    attributes:
      - { name: unspec, type: unused, value: 0 }
      - { name: ifindex, type: u32 }
      - { name: ifname, type: string, checks: { max-len: 15 } }
      - { name: private-key, type: binary, checks: { exact-len: wg-key-len } }
operations:
  list:
    - { name: get-device, doc: x, attribute-set: wgdevice, dump: { request: { attributes: [ifindex, ifname] } } }
`);
  const dev = spec.ynl.sets.get("wgdevice")!;
  assert.throws(
    () => dev.encode(new NetlinkWriter(), { privateKey: new Uint8Array(31) }),
    /wgdevice\.private-key: expected 32\.\.32 bytes, got 31/,
  );
  assert.throws(
    () => dev.encode(new NetlinkWriter(), { ifname: "a-very-long-name-indeed" }),
    /wgdevice\.ifname: the string is 23 bytes long, at most 15 fit/,
  );
  dev.encode(new NetlinkWriter(), { privateKey: new Uint8Array(32), ifname: "wg0" });
});

const BAD: [string, string, RegExp][] = [
  ["missing doc", `name: x\nattribute-sets: []\noperations: { list: [] }\n`, /: doc: missing$/],
  [
    "unknown attribute type",
    `name: x\ndoc: d\nattribute-sets:\n  - name: a\n    attributes:\n      - { name: b, type: u128 }\noperations: { list: [] }\n`,
    /attribute-sets\[0\]\.attributes\[0\]\.type: unknown attribute type "u128"/,
  ],
  [
    "unsupported key",
    `name: x\ndoc: d\nattribute-sets: []\noperations: { list: [], frobnicate: 1 }\n`,
    /operations\.frobnicate: unsupported key/,
  ],
  [
    "dangling nest",
    `name: x\ndoc: d\nattribute-sets:\n  - name: a\n    attributes:\n      - { name: b, type: nest, nested-attributes: nope }\noperations: { list: [] }\n`,
    /attribute-sets\[0\]\.attributes\[0\]\.nested-attributes: no attribute set named "nope"/,
  ],
  [
    "subset cycle",
    `name: x\ndoc: d\nattribute-sets:\n  - { name: a, subset-of: b, attributes: [{ name: c }] }\n  - { name: b, subset-of: a, attributes: [{ name: c }] }\noperations: { list: [] }\n`,
    /subset-of forms a cycle/,
  ],
  [
    "struct cycle",
    `name: x\ndoc: d\ndefinitions:\n  - { name: s, type: struct, members: [{ name: m, type: binary, struct: s }] }\nattribute-sets: []\noperations: { list: [] }\n`,
    /definitions\[0\]: struct "s" contains itself/,
  ],
  [
    "wrong selector",
    `name: x\ndoc: d\nprotocol: netlink-raw\nprotonum: 0\nattribute-sets:\n  - name: a\n    attributes:\n      - { name: data, type: sub-message, sub-message: m, selector: nokind }\nsub-messages:\n  - { name: m, formats: [{ value: x }] }\noperations: { list: [] }\n`,
    /attribute-sets\[0\]\.attributes\[0\]\.selector: no attribute named "nokind"/,
  ],
  ["YAML syntax", `name: [x\n`, /YAML/],
  // what the IR raises (a loaded family checks a set's attributes, and a struct's members,
  // when it builds the set at its first use: the bad set is not the main one; see AT_USE)
  [
    "binary of strings",
    `name: x\ndoc: d\nattribute-sets:\n  - { name: ok, attributes: [{ name: id, type: u32 }] }\n  - name: a\n    attributes:\n      - { name: b, type: binary, sub-type: string }\noperations: { list: [] }\n`,
    /attribute-sets\[1\]\.attributes\[0\]\.sub-type: unsupported sub-type "string" of binary/,
  ],
  [
    "indexed array of flags",
    `name: x\ndoc: d\nattribute-sets:\n  - { name: ok, attributes: [{ name: id, type: u32 }] }\n  - name: a\n    attributes:\n      - { name: b, type: indexed-array, sub-type: flag }\noperations: { list: [] }\n`,
    /attribute-sets\[1\]\.attributes\[0\]: unsupported scalar type "flag"/,
  ],
  [
    "flags-mask naming nothing",
    `name: x\ndoc: d\nattribute-sets:\n  - { name: ok, attributes: [{ name: id, type: u32 }] }\n  - name: a\n    attributes:\n      - { name: b, type: u32, checks: { flags-mask: nope } }\noperations: { list: [] }\n`,
    /attribute-sets\[1\]\.attributes\[0\]\.checks\.flags-mask: no flags named "nope"/,
  ],
  [
    "enum-as-flags beyond bit 63",
    `name: x\ndoc: d\ndefinitions:\n  - { name: e, type: enum, entries: [{ name: big, value: 70 }] }\nattribute-sets:\n  - { name: ok, attributes: [{ name: id, type: u32 }] }\n  - name: a\n    attributes:\n      - { name: b, type: u64, enum: e, enum-as-flags: true }\noperations: { list: [] }\n`,
    /attribute-sets\[1\]\.attributes\[0\]: enum-as-flags value 70 of e is not a bit 0\.\.63/,
  ],
  [
    "flag beyond u32",
    `name: x\ndoc: d\ndefinitions:\n  - { name: f, type: flags, entries: [{ name: high, value: 40 }] }\nattribute-sets:\n  - { name: ok, attributes: [{ name: id, type: u32 }] }\n  - name: a\n    attributes:\n      - { name: b, type: u32, enum: f }\noperations: { list: [] }\n`,
    /attribute-sets\[1\]\.attributes\[0\]: flag value 1099511627776 does not fit in u32/,
  ],
  [
    "string struct member",
    `name: x\ndoc: d\ndefinitions:\n  - { name: s, type: struct, members: [{ name: m, type: string, len: 4 }] }\nattribute-sets:\n  - { name: ok, attributes: [{ name: id, type: u32 }] }\n  - name: a\n    attributes:\n      - { name: b, type: binary, struct: s }\noperations: { list: [] }\n`,
    /definitions\[0\]\.members\[0\]: string struct members are not supported/,
  ],
  [
    "sub-message format referring back",
    `name: x\ndoc: d\nprotocol: netlink-raw\nprotonum: 0\nattribute-sets:\n  - { name: ok, attributes: [{ name: id, type: u32 }] }\n  - name: a\n    attributes:\n      - { name: kind, type: string }\n      - { name: data, type: sub-message, sub-message: m, selector: kind }\nsub-messages:\n  - { name: m, formats: [{ value: x, attribute-set: a }] }\noperations: { list: [] }\n`,
    /attribute-sets\[1\]\.attributes\[1\]: sub-message format "x" refers back to a/,
  ],
];

/** The bad specs a loaded family reports at the first use of the bad set, not at load. */
const AT_USE = new Set(
  BAD.slice(BAD.findIndex(([w]) => w === "binary of strings")).map(([w]) => w),
);

/** loadSpec, then (for the AT_USE cases) the first use of every set, the good one first. */
function loadAndUse(what: string, text: string): void {
  const f = loadSpec(text, { file: "bad.yaml" });
  if (!AT_USE.has(what)) return;
  assert.ok(f.ynl.sets.get("ok")!.fields.length === 1, "a good set builds");
  for (const name of f.ynl.sets.keys()) void f.ynl.sets.get(name)!.fields;
}

for (const [what, text, expected] of BAD) {
  test(`ynl: a bad spec (${what}) fails with its path`, () => {
    if (AT_USE.has(what)) assert.doesNotThrow(() => loadSpec(text, { file: "bad.yaml" }));
    assert.throws(() => loadAndUse(what, text), (e: unknown) => {
      assert.ok(e instanceof YnlSpecError, String(e));
      assert.equal(e.file, "bad.yaml");
      assert.match(e.message, /^Cannot load spec bad\.yaml: /);
      assert.match(e.message, expected);
      return true;
    });
    // the generator (which builds every set's IR at once) raises the same
    let loaded = "", generated = "";
    try {
      loadAndUse(what, text);
    } catch (e) {
      loaded = (e as Error).message;
    }
    try {
      generateModule(text, { file: "bad.yaml" });
    } catch (e) {
      generated = (e as Error).message;
    }
    assert.equal(generated, loaded);
  });
}

test("ynl: mutated rt-link replies raise only DecodeError", () => {
  using link = RawFamily.open(loadRawSpec("rt_link", { dirs: [LINUX_DOC] }));
  const [lo] = link.socket.dumpSync({ type: 18, payload: new Uint8Array(16) });
  const set = link.spec.operations.getlink.reply!;
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  for (let i = 0; i < 2000; i++) {
    const p = lo.payload.slice(16);
    const n = 1 + (rnd() % 4);
    for (let j = 0; j < n; j++) p[rnd() % p.length] = rnd() & 0xff;
    const cut = rnd() % 3 === 0 ? rnd() % (p.length + 1) : p.length;
    try {
      set.decode(p, 0, cut);
    } catch (e) {
      assert.ok(e instanceof DecodeError, `${e}`);
    }
  }
});

test("ynl: a newer kernel's longer struct keeps its extra bytes and re-encodes them", () => {
  // rt-link's stats64 (struct rtnl_link_stats64) as a 6.12 spec knows it, with 16 more bytes
  const rtLink = loadRawSpec("rt_link", { dirs: [LINUX_DOC] });
  const link = rtLink.ynl.sets.get("link-attrs")!;
  const size = rtLink.ynl.structs.get("rtnl-link-stats64")!.size;
  const payload = new Uint8Array(size + 16).map((_, i) => i);
  const w = new NetlinkWriter();
  w.attrBinary(link.field("stats64")!.type, payload);
  const bytes = w.bytes().slice();
  const v = link.decode(bytes) as { stats64: Record<string, unknown> };
  assert.equal(v.stats64.rxPackets, 0x0706050403020100n);
  assert.deepEqual(v.stats64.unknown, payload.slice(size));
  const again = new NetlinkWriter();
  link.encode(again, v);
  assert.deepEqual(again.bytes(), bytes);
  // exactly the struct: no tail property
  const exact = new NetlinkWriter();
  exact.attrBinary(link.field("stats64")!.type, payload.slice(0, size));
  const plain = link.decode(exact.bytes()) as { stats64: Record<string, unknown> };
  assert.equal("unknown" in plain.stats64, false);
  assert.throws(
    () => link.encode(new NetlinkWriter(), { stats64: { ...v.stats64, unknown: [1, 2] } }),
    /unknown\) as a Uint8Array/,
  );
});

test("ynl: errata let rt-link newlink carry link and master (the kernel accepts both)", () => {
  for (const dir of [LINUX_DOC, ...(existsSync(SHARED) ? [SHARED] : [])]) {
    const rtLink = loadRawSpec("rt_link", { dirs: [dir] });
    const names = rtLink.operations.newlink.request.fields.map((f) => f.name);
    assert.ok(names.includes("link") && names.includes("master"), dir);
    assert.ok(rtLink.ynl.errata.some((e) => /newlink do request: added .*master/.test(e)));
    using ns = tempNetns("ynl");
    using link = RawFamily.open(rtLink, { netns: ns.name });
    const create = 0x400 | 0x200; // NLM_F_CREATE | NLM_F_EXCL
    link.requestSync("newlink", { ifname: "br0", linkinfo: { kind: "bridge" } }, {
      flags: create,
    });
    link.requestSync("newlink", { ifname: "d0", linkinfo: { kind: "veth" } }, { flags: create });
    const [br] = link.requestSync("getlink", { ifname: "br0" });
    const [d0] = link.requestSync("getlink", { ifname: "d0" });
    // a macvlan on d0 (IFLA_LINK), created straight into br0 (IFLA_MASTER)
    link.requestSync("newlink", {
      ifname: "mv0",
      link: d0.header.ifiIndex,
      master: br.header.ifiIndex,
      linkinfo: { kind: "macvlan" },
    }, { flags: create });
    const ip = JSON.parse(ipIn(ns.name, ["-j", "-d", "link", "show", "mv0"])) as {
      link: string;
      master: string;
      linkinfo: { info_kind: string };
    }[];
    assert.equal(ip[0].link, "d0");
    assert.equal(ip[0].master, "br0");
    assert.equal(ip[0].linkinfo.info_kind, "macvlan");
    assert.equal(br.attrs.ifname, "br0");
  }
});
