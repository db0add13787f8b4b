// The route dump's fast decoder (src/route/_route_decode.ts) against the generic one (the
// rt-route spec's rtmsg and route-attrs, then toRoute): for the messages a dump is made of
// it must give the same Route (values, keys and their order, so JSON.stringify agrees too),
// and for anything else step aside so that the generic decoder answers (or raises its
// DecodeError). Messages are built byte by byte; a seeded generator varies them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { DecodeError } from "../../mod.ts";
import {
  DatagramCopy,
  fastRoute,
  genericRoute,
  routeReader,
} from "../../src/route/_route_decode.ts";
import { MessageIterator } from "../../src/protocol/reader.ts";
import type { Route } from "../../src/route/mod.ts";

/** An rtattr: length, type, payload, padding to 4. */
function attr(type: number, payload: number[]): number[] {
  const len = 4 + payload.length;
  const out = [len & 0xff, len >> 8, type & 0xff, type >> 8, ...payload];
  while (out.length % 4) out.push(0);
  return out;
}
const u32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];

/** An rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type, flags (u32). */
function rtmsg(h: number[], flags = 0): number[] {
  return [...h, ...u32(flags)];
}

/**
 * Both decoders on one payload (at an offset inside a larger buffer, as in a datagram). The
 * fast one's attributes come from its fields or from a copy of the buffer (made as the route
 * needs one); the buffer is then overwritten, as the next datagram overwrites a receive buffer.
 */
function both(payload: number[]): { fast: Route | null; generic: Route | Error } {
  const data = new Uint8Array([9, 9, 9, ...payload, 7, 7]);
  const view = new DataView(data.buffer);
  const end = 3 + payload.length;
  let generic: Route | Error;
  try {
    generic = genericRoute(data, 3, end);
  } catch (e) {
    generic = e as Error;
  }
  const fast = fastRoute(data, view, 3, end, new DatagramCopy(data, data.length));
  data.fill(0xee);
  return { fast, generic };
}

/** The two routes are equal: fields, their order (so JSON agrees too), and `attrs`. */
function agree(fast: Route, generic: Route, what: string): void {
  assert.deepEqual(fast, generic, what);
  assert.equal(JSON.stringify(fast), JSON.stringify(generic), `${what}: key order`);
  assert.deepEqual(fast.attrs, generic.attrs, `${what}: attrs`);
  assert.equal(JSON.stringify(fast.attrs), JSON.stringify(generic.attrs), `${what}: attrs order`);
  assert.equal(fast.attrs, fast.attrs, `${what}: attrs decoded once`);
}

function same(payload: number[], what: string): void {
  const { fast, generic } = both(payload);
  assert.ok(fast !== null, `${what}: the fast decoder handles it`);
  assert.ok(!(generic instanceof Error), `${what}: the generic decoder handles it`);
  agree(fast, generic, what);
}

const V4_HOST = rtmsg([2, 32, 0, 0, 252, 4, 0, 1]);
const DST4 = attr(1, [11, 0, 1, 23]);
const DST6 = attr(1, [0x20, 1, 0x0d, 0xb8, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0]);
const GW6 = attr(5, [0x20, 1, 0x0d, 0xb8, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
const CACHEINFO = attr(12, [...u32(0), ...u32(0), ...u32(0), ...u32(0), ...u32(5)]);
const CACHEINFO_32 = attr(12, [
  ...u32(1),
  ...u32(2),
  ...u32(3),
  ...u32(4),
  ...u32(5),
  ...u32(6),
  ...u32(7),
  ...u32(8),
]);
/** The kernel's cacheinfo of a FIB route: 32 zero bytes. */
const CACHEINFO_ZERO = attr(12, new Array(32).fill(0));

test("route decoding: only a route with attributes beyond its fields copies the datagram", () => {
  const copied = (payload: number[]): boolean => {
    const data = new Uint8Array(payload);
    const keep = new DatagramCopy(data, data.length);
    const r = fastRoute(data, new DataView(data.buffer), 0, data.length, keep);
    assert.ok(r !== null);
    const generic = genericRoute(data, 0, data.length);
    data.fill(0xee);
    assert.deepEqual(r.attrs, generic.attrs);
    assert.equal(JSON.stringify(r.attrs), JSON.stringify(generic.attrs));
    return keep.bytes !== null;
  };
  const v4 = [...V4_HOST, ...attr(15, u32(100)), ...DST4, ...attr(4, u32(2))];
  assert.equal(copied(v4), false, "table, dst, oif: all fields");
  assert.equal(copied([...v4, ...attr(4, u32(3))]), true, "oif twice");
  assert.equal(copied([...v4, ...attr(16, u32(1))]), true, "mark");
  assert.equal(copied([...rtmsg([10, 64, 0, 0, 254, 2, 0, 1]), ...DST6, ...CACHEINFO]), true);
  const v6 = [...rtmsg([10, 64, 0, 0, 254, 2, 0, 1]), ...attr(15, u32(254)), ...DST6];
  assert.equal(copied([...v6, ...CACHEINFO_ZERO, ...attr(20, [0])]), false, "zero cacheinfo");
  assert.equal(copied([...v6, ...CACHEINFO_32]), true, "cacheinfo with values");
  assert.equal(copied([...v6, ...CACHEINFO_ZERO, ...CACHEINFO_ZERO]), true, "cacheinfo twice");
  for (let i = 0; i < 32; i += 4) {
    const one = [...CACHEINFO_ZERO];
    one[4 + i + (i >> 2) % 4] = 1;
    assert.equal(copied([...v6, ...one]), true, `cacheinfo with byte ${i + (i >> 2) % 4} set`);
  }
  const longer = attr(12, new Array(36).fill(0));
  assert.equal(copied([...v6, ...longer]), true, "a zero cacheinfo of another size");
  assert.equal(copied([...v6, ...attr(12, new Array(20).fill(0))]), true, "the spec's 20 bytes");
  // each route's zero cacheinfo is an object of its own, as the generic decoder's are
  const zeroRoute = (): Route => {
    const data = new Uint8Array([...v6, ...CACHEINFO_ZERO]);
    const r = fastRoute(data, new DataView(data.buffer), 0, data.length, new DatagramCopy(data, 0));
    assert.ok(r !== null);
    return r;
  };
  const [a, b] = [zeroRoute(), zeroRoute()];
  assert.notEqual(a.attrs.cacheinfo, b.attrs.cacheinfo);
  assert.deepEqual(a.attrs.cacheinfo, b.attrs.cacheinfo);
  a.attrs.cacheinfo!.rtaUsed = 9;
  assert.equal(b.attrs.cacheinfo!.rtaUsed, 0);
});

test("route decoding: a dump's messages, fast and generic alike", () => {
  // IPv4 host route through a gateway, as the kernel orders its attributes
  same([
    ...V4_HOST,
    ...attr(15, u32(100)),
    ...DST4,
    ...attr(6, u32(12)),
    ...attr(5, [10, 0, 0, 2]),
    ...attr(4, u32(2)),
  ], "v4 via gateway");
  // direct, proto static, table < 256 in the header too
  same([
    ...rtmsg([2, 32, 0, 0, 100, 4, 253, 1]),
    ...attr(15, u32(100)),
    ...DST4,
    ...attr(4, u32(2)),
  ], "v4 direct");
  // blackhole without oif; unreachable; prohibit
  for (const type of [6, 7, 8]) {
    same(
      [...rtmsg([2, 32, 0, 0, 101, 3, 0, type]), ...attr(15, u32(101)), ...DST4],
      `type ${type}`,
    );
  }
  // IPv6 /64 via a gateway with cacheinfo (32 bytes: 12 beyond the spec's struct) and pref,
  // the cacheinfo with values or the kernel's all-zero one
  for (
    const [cacheinfo, what] of [[CACHEINFO_32, ""], [CACHEINFO_ZERO, ", zero cacheinfo"]] as const
  ) {
    same([
      ...rtmsg([10, 64, 0, 0, 102, 3, 0, 1]),
      ...attr(15, u32(102)),
      ...DST6,
      ...attr(6, u32(3)),
      ...GW6,
      ...attr(4, u32(2)),
      ...cacheinfo,
      ...attr(20, [0]),
    ], `v6 via gateway${what}`);
  }
  same([
    ...rtmsg([10, 64, 0, 0, 254, 2, 0, 1]),
    ...attr(15, u32(254)),
    ...DST6,
    ...attr(4, u32(1)),
    ...CACHEINFO,
    ...attr(20, [1]),
  ], "v6 cacheinfo of 20 bytes");
  // default routes of both families (no RTA_DST), a /0 in table 255 (local), prefsrc, iif
  same([
    ...rtmsg([2, 0, 0, 0, 254, 16, 0, 1]),
    ...attr(15, u32(254)),
    ...attr(5, [192, 168, 1, 1]),
    ...attr(4, u32(3)),
    ...attr(7, [192, 168, 1, 9]),
  ], "v4 default");
  same(
    [...rtmsg([10, 0, 0, 0, 254, 9, 0, 7]), ...attr(15, u32(254)), ...attr(6, u32(1024))],
    "v6 default unreachable",
  );
  same([
    ...rtmsg([2, 24, 0, 0, 254, 2, 253, 1]),
    ...attr(15, u32(254)),
    ...attr(1, [10, 1, 2, 0]),
    ...attr(7, [10, 1, 2, 3]),
    ...attr(4, u32(5)),
  ], "v4 /24 prefsrc");
  same([
    ...rtmsg([10, 128, 0, 0, 254, 2, 0, 1]),
    ...attr(15, u32(254)),
    ...DST6,
    ...attr(7, [0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9]),
    ...attr(4, u32(5)),
  ], "v6 prefsrc");
  same([
    ...rtmsg([2, 0, 0, 0, 254, 2, 0, 1]),
    ...attr(15, u32(254)),
    ...attr(3, u32(7)),
    ...attr(16, u32(0x42)),
    ...attr(23, u32(300)),
  ], "iif, mark, expires");
  // source routing (RTA_SRC with a prefix length), nhid, flags (onlink | linkdown, and more bits)
  same([
    ...rtmsg([10, 128, 48, 0, 254, 3, 0, 1], 4 | 16 | 0x100),
    ...attr(15, u32(254)),
    ...DST6,
    ...attr(2, [0x20, 1, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
    ...attr(30, u32(77)),
  ], "src /48, nh id, flags");
  // unknown header values: family 28 (MPLS-ish number), protocol 199, scope 7, type 200, table in attrs only
  same(
    [...rtmsg([28, 0, 0, 3, 0, 199, 7, 200], 0x80), ...attr(15, u32(100000))],
    "numbers without names",
  );
  // a duplicate attribute: the last wins, at the place of the first
  same(
    [...V4_HOST, ...DST4, ...attr(4, u32(2)), ...attr(1, [11, 0, 1, 24]), ...attr(4, u32(3))],
    "duplicates",
  );
  // trailing bytes shorter than an attribute header are ignored by both
  same([...V4_HOST, ...DST4, 1, 2], "trailing bytes");
});

test("route decoding: what the fast decoder leaves to the generic one", () => {
  const cases: [string, number[]][] = [
    ["metrics nest", [...V4_HOST, ...DST4, ...attr(8, attr(2, u32(1400)))]],
    ["multipath", [...V4_HOST, ...DST4, ...attr(9, [8, 0, 0, 0, ...u32(2)])]],
    ["encap", [...V4_HOST, ...DST4, ...attr(21, [1, 0]), ...attr(22, [1, 2, 3, 4])]],
    ["nested flag bit", [...V4_HOST, ...attr(0x8000 | 1, [11, 0, 1, 23])]],
    ["unknown type", [...V4_HOST, ...DST4, ...attr(200, [1, 2, 3])]],
    ["oif of 2 bytes", [...V4_HOST, ...attr(4, [1, 0])]],
    ["dst of 5 bytes", [...V4_HOST, ...attr(1, [1, 2, 3, 4, 5])]],
    ["src of 8 bytes", [...V4_HOST, ...DST4, ...attr(2, [1, 2, 3, 4, 5, 6, 7, 8])]],
    ["gateway of 3 bytes", [...V4_HOST, ...DST4, ...attr(5, [10, 0, 0])]],
    ["prefsrc of 0 bytes", [...V4_HOST, ...DST4, ...attr(7, [])]],
    ["nh id of 2 bytes", [...V4_HOST, ...DST4, ...attr(30, [1, 0])]],
    ["short cacheinfo", [...V4_HOST, ...attr(12, u32(1))]],
    ["pref of 4 bytes", [...V4_HOST, ...attr(20, u32(1))]],
    ["attribute past the end", [...V4_HOST, 40, 0, 1, 0, 1, 2, 3, 4]],
    ["short header", [2, 32, 0]],
  ];
  for (const [what, payload] of cases) {
    const { fast, generic } = both(payload);
    assert.equal(fast, null, what);
    const data = new Uint8Array([
      16 + payload.length,
      0,
      0,
      0,
      24,
      0,
      2,
      0,
      ...u32(1),
      ...u32(0),
      ...payload,
    ]);
    data[0] = data.length;
    const it = new MessageIterator(data);
    assert.ok(it.next());
    if (generic instanceof Error) {
      assert.ok(generic instanceof DecodeError, what);
      assert.throws(() => routeReader()(it), DecodeError, what);
    } else agree(routeReader()(it), generic, what);
  }
});

test("route decoding: random attribute lists agree with the generic decoder", () => {
  let seed = 0x2545f491;
  const rnd = (n: number) => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const bytes = (n: number) => Array.from({ length: n }, () => rnd(256));
  const sizes: Record<number, number[]> = {
    1: [4, 16, 4, 16, 3],
    2: [4, 16, 0],
    3: [4, 2],
    4: [4, 4, 8],
    5: [4, 16, 6],
    6: [4, 1],
    7: [4, 16],
    12: [20, 32, 24, 16],
    15: [4, 4, 0],
    16: [4, 5],
    20: [1, 1, 2],
    23: [4, 3],
    30: [4, 8],
    8: [4],
    9: [8],
    21: [2],
    200: [3],
  };
  const types = Object.keys(sizes).map(Number);
  let fastCount = 0;
  for (let i = 0; i < 4000; i++) {
    const family = [2, 10, 0, 28][rnd(4)];
    const payload = rtmsg([
      family,
      rnd(129),
      rnd(129),
      rnd(4),
      rnd(256),
      rnd(256),
      rnd(256),
      rnd(256),
    ], rnd(2) ? 0 : rnd(0x10000));
    const n = rnd(8);
    for (let k = 0; k < n; k++) {
      const t = types[rnd(types.length)];
      const s = sizes[t];
      // a cacheinfo is sometimes the kernel's all-zero one (what a FIB route has)
      const zero = t === 12 && rnd(3) === 0;
      payload.push(...attr(t, zero ? new Array(32).fill(0) : bytes(s[rnd(s.length)])));
    }
    if (rnd(20) === 0) payload.length -= 1 + rnd(6); // cut short
    const { fast, generic } = both(payload);
    if (fast === null) continue;
    fastCount++;
    assert.ok(!(generic instanceof Error), `case ${i}: the generic decoder handles it`);
    agree(fast, generic, `case ${i}`);
  }
  assert.ok(fastCount > 500, `the fast decoder took ${fastCount} of 4000 random messages`);
});

test("route decode: rtm_flags above the next-hop byte are kept (cache entries, offload state)", () => {
  const flags = 0x20000000 | 0x8000 | 0x4000 | 0x200 | 0x100 | 4;
  const payload = [...rtmsg([2, 32, 0, 0, 254, 2, 0, 1], flags), ...attr(15, u32(254)), ...DST4];
  same(payload, "flags above the low byte");
  const { fast, generic } = both(payload);
  for (const r of [fast, generic] as Route[]) {
    assert.equal(r.rtmFlags, flags);
    assert.deepEqual(r.flags, ["onlink"]);
  }
});

test("route json: rtm_flags named as ip -j route names them (notify among the next-hop flags)", async () => {
  const { namesOf, routeJson } = await import("../../src/cli/route_json.ts");
  const names = namesOf([]);
  const json = (flags: number) => {
    const payload = [...rtmsg([2, 32, 0, 0, 254, 2, 0, 1], flags), ...attr(15, u32(254)), ...DST4];
    return routeJson(genericRoute(new Uint8Array(payload), 0, payload.length), names).flags;
  };
  assert.deepEqual(json(0), []);
  assert.deepEqual(json(4 | 16 | 0x100), ["onlink", "notify", "linkdown"]);
  assert.deepEqual(json(0x4000 | 0x8000 | 0x20000000), [
    "rt_offload",
    "rt_trap",
    "rt_offload_failed",
  ]);
  assert.deepEqual(json(0x200), [], "a cache entry's CLONED bit is no flag ip prints");
});

test("route reader: each datagram's routes keep their own bytes, attrs an accessor", () => {
  /** A datagram of RTM_NEWROUTE messages, one per payload. */
  const datagram = (payloads: number[][]): Uint8Array => {
    const out: number[] = [];
    for (const p of payloads) {
      out.push(...u32(16 + p.length), 24, 0, 2, 0, ...u32(1), ...u32(0), ...p);
    }
    return new Uint8Array(out);
  };
  const route = (table: number, last: number) => [
    ...V4_HOST,
    ...attr(15, u32(table)),
    ...attr(1, [11, 0, 1, last]),
    ...attr(16, u32(last)),
  ];
  const first = datagram([route(100, 1), route(101, 2)]);
  const second = datagram([route(102, 3), route(103, 4)]);
  assert.equal(first.length, second.length);
  const buffer = new Uint8Array(first.length + 8);
  const it = new MessageIterator(buffer);
  const read = routeReader();
  const got: Route[] = [];
  for (const d of [first, second]) {
    buffer.set(d); // the same receive buffer, the next datagram, the same range
    it.reset(0, d.length);
    while (it.next()) got.push(read(it));
  }
  buffer.fill(0);
  assert.deepEqual(got.map((r) => [r.table, r.dst, r.attrs.table, r.attrs.dst, r.attrs.mark]), [
    [100, "11.0.1.1", 100, "11.0.1.1", 1],
    [101, "11.0.1.2", 101, "11.0.1.2", 2],
    [102, "11.0.1.3", 102, "11.0.1.3", 3],
    [103, "11.0.1.4", 103, "11.0.1.4", 4],
  ]);
  const r = got[0];
  assert.ok(!Object.keys(r).includes("attrs"), "attrs is no own property");
  assert.ok(!("attrs" in JSON.parse(JSON.stringify(r))));
  r.attrs = { table: 7 };
  assert.deepEqual(r.attrs, { table: 7 }, "attrs can be replaced");
  assert.ok(Object.isFrozen(r.flags));
  assert.equal(r.flags, got[1].flags, "routes without next-hop flags share one empty array");
});
