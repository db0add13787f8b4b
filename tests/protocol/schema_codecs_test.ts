// Annotated byte fixtures for every codec kind of the attribute schema: decode -> deepEqual and
// encode -> byte-equal. Each fixture runs twice: with the generated decoders and with the
// generic loops (what runs where `new Function` is not allowed).
import { test } from "node:test";
import assert from "node:assert/strict";
import { attrSet, NetlinkWriter, t } from "../../src/protocol/mod.ts";
import { codegenEnabled, setCodegen } from "../../src/protocol/schema_compile.ts";
import { encode, hex, roundTrip } from "./_helpers.ts";

interface Case {
  name: string;
  run: () => void;
}

function cases(): Case[] {
  const ints = attrSet("ints", {
    a: [1, t.u8()],
    b: [2, t.u16()],
    c: [3, t.u32()],
    d: [4, t.u64()],
    e: [5, t.s8()],
    f: [6, t.s16()],
    g: [7, t.s32()],
    h: [8, t.s64()],
    i: [9, t.u16be()],
    j: [10, t.u32be()],
    k: [11, t.u64be()],
  });
  const varint = attrSet("varint", { u: [1, t.multi(t.uint())], s: [2, t.multi(t.sint())] });
  const misc = attrSet("misc", {
    name: [1, t.string()],
    blob: [2, t.binary()],
    on: [3, t.flag()],
    pad: [4, t.pad()],
    id: [5, t.binary({ length: 3 })],
  });
  const addrs = attrSet("addrs", { v4: [1, t.ipv4()], v6: [2, t.ipv6()], mac: [3, t.mac()] });
  const bits = attrSet("bits", { bf: [1, t.bitfield32()] });
  const inner = attrSet("inner", { id: [1, t.u32()] });
  const outer = attrSet("outer", { inner: [1, t.nest(inner)], name: [2, t.string()] });
  const item = attrSet("item", { v: [1, t.u16()] });
  const arrays = attrSet("arrays", {
    items: [1, t.indexedArray(t.nest(item))],
    tags: [2, t.multi(t.u32())],
    words: [3, t.indexedArray(t.u32(), { base: 0 })],
  });
  const vlan = t.struct("ovs-action-push-vlan", { tpid: t.u16be(), tci: t.u16be() });
  const action = attrSet("action-attrs", {
    output: [1, t.u32()],
    set: [3, t.nest(inner, { nestedFlag: false })],
    pushVlan: [4, vlan],
    popVlan: [5, t.flag()],
  });
  const flow = attrSet("flow", { actions: [1, t.list(action, { nestedFlag: false })] });
  const keyIpv4 = t.struct("ovs-key-ipv4", {
    src: t.ipv4(),
    dst: t.ipv4(),
    proto: t.u8(),
    tos: t.u8(),
    ttl: t.u8(),
    frag: t.u8(),
  });
  const dpStats = t.struct("ovs-dp-stats", {
    hit: t.u64(),
    missed: t.u64(),
    lost: t.u64(),
    flows: t.u64(),
  });
  const arp = t.struct("ovs-key-arp", {
    sip: t.ipv4(),
    tip: t.ipv4(),
    op: t.u16be(),
    sha: t.mac(),
    tha: t.mac(),
  });
  const mixed = t.struct("mixed", {
    a: t.u8(),
    b: t.u32(),
    c: t.array(t.u16be(), 2),
    d: t.enum(t.u8(), { x: 1 }),
    e: t.pad(3),
  });
  const nd = t.struct("ovs-key-nd", { target: t.ipv6(), sll: t.mac(), tll: t.mac() });
  const structs = attrSet("structs", {
    ipv4: [1, keyIpv4],
    stats: [2, dpStats],
    arp: [3, arp],
    mixed: [4, mixed],
    nd: [5, nd],
  });
  const enums = attrSet("enums", {
    kind: [1, t.multi(t.enum(t.u8(), { red: 1, green: 2 }))],
    flags: [2, t.flags(t.u32(), { a: 1, b: 2, c: 0x8000_0000 })],
    wide: [3, t.flags(t.u64(), { low: 1, high: 2n ** 40n })],
  });
  const pol = attrSet("pol", { type: [1, t.u32()] });
  const maps = attrSet("maps", { policy: [1, t.map(t.map(t.nest(pol)))] });

  return [
    {
      name: "integers: u8..u64, s8..s64, big-endian u16/u32/u64",
      run: () =>
        roundTrip(
          ints,
          hex(
            "05 00 01 00 ff 00 00 00", // nla_len 5, type 1 (a): u8 255 + 3 bytes padding
            "06 00 02 00 34 12 00 00", // nla_len 6, type 2 (b): u16 0x1234 + 2 bytes padding
            "08 00 03 00 78 56 34 12", // nla_len 8, type 3 (c): u32 0x12345678
            "0c 00 04 00", //             nla_len 12, type 4 (d): u64
            "08 07 06 05 04 03 02 01", // 0x0102030405060708 little-endian
            "05 00 05 00 ff 00 00 00", // type 5 (e): s8 -1
            "06 00 06 00 fe ff 00 00", // type 6 (f): s16 -2
            "08 00 07 00 fd ff ff ff", // type 7 (g): s32 -3
            "0c 00 08 00", //             type 8 (h): s64
            "fc ff ff ff ff ff ff ff", // -4
            "06 00 09 00 12 34 00 00", // type 9 (i): u16be 0x1234 + padding
            "08 00 0a 00 12 34 56 78", // type 10 (j): u32be 0x12345678
            "0c 00 0b 00", //             type 11 (k): u64be
            "01 02 03 04 05 06 07 08", // 0x0102030405060708 big-endian
          ),
          {
            a: 255,
            b: 0x1234,
            c: 0x12345678,
            d: 0x0102030405060708n,
            e: -1,
            f: -2,
            g: -3,
            h: -4n,
            i: 0x1234,
            j: 0x12345678,
            k: 0x0102030405060708n,
          },
        ),
    },
    {
      name: "uint / sint: 4- and 8-byte forms, always bigint",
      run: () => {
        const bytes = hex(
          "08 00 01 00 05 00 00 00", // type 1 (u): 5 in 4 bytes
          "0c 00 01 00", //             type 1 (u): 2^32 needs 8 bytes
          "00 00 00 00 01 00 00 00",
          "08 00 02 00 ff ff ff ff", // type 2 (s): -1 in 4 bytes
          "0c 00 02 00", //             type 2 (s): -2^40 needs 8 bytes
          "00 00 00 00 00 ff ff ff",
        );
        roundTrip(varint, bytes, { u: [5n, 4294967296n], s: [-1n, -1099511627776n] });
        // numbers are accepted when encoding and pick the same widths
        assert.deepEqual(encode(varint, { u: [5, 2 ** 32], s: [-1, -(2 ** 40)] }), bytes);
      },
    },
    {
      name: "string, binary, flag, fixed-length binary; pad attributes are skipped",
      run: () => {
        roundTrip(
          misc,
          hex(
            "09 00 01 00 65 74 68 30", // nla_len 9, type 1 (name): "eth0"
            "00 00 00 00", //             NUL + 3 bytes padding
            "07 00 02 00 01 02 03 00", // nla_len 7, type 2 (blob): 01 02 03 + padding
            "04 00 03 00", //             nla_len 4, type 3 (on): flag
            "07 00 05 00 aa bb cc 00", // nla_len 7, type 5 (id): binary[3] + padding
          ),
          { name: "eth0", blob: new Uint8Array([1, 2, 3]), on: true, id: hex("aa bb cc") },
        );
        const withPad = hex(
          "04 00 04 00", //             type 4 (pad): the kernel's alignment filler
          "05 00 02 00 09 00 00 00", // type 2 (blob): 09
        );
        assert.deepEqual(misc.decode(withPad, 0, withPad.length, { strict: true }), {
          blob: new Uint8Array([9]),
        });
        // false flags are omitted; a string without its NUL still decodes
        assert.deepEqual(encode(misc, { on: false }), new Uint8Array(0));
        const noNul = hex("07 00 01 00 61 62 63 00"); // "abc" with the NUL in the padding only
        assert.deepEqual(misc.decode(noNul), { name: "abc" });
        // decoded binary is an owned copy
        const src = hex("05 00 02 00 07 00 00 00");
        const v = misc.decode(src);
        src[4] = 8;
        assert.deepEqual(v.blob, new Uint8Array([7]));
      },
    },
    {
      name: "ipv4, ipv6 (RFC 5952) and mac attributes",
      run: () =>
        roundTrip(
          addrs,
          hex(
            "08 00 01 00 0a 00 00 01", // type 1 (v4): 10.0.0.1
            "14 00 02 00", //             nla_len 20, type 2 (v6)
            "20 01 0d b8 00 00 00 00", // 2001:db8::1
            "00 00 00 00 00 00 00 01",
            "0a 00 03 00", //             nla_len 10, type 3 (mac)
            "00 11 22 33 44 55 00 00", // 00:11:22:33:44:55 + padding
          ),
          { v4: "10.0.0.1", v6: "2001:db8::1", mac: "00:11:22:33:44:55" },
        ),
    },
    {
      name: "bitfield32",
      run: () =>
        roundTrip(
          bits,
          hex(
            "0c 00 01 00", // nla_len 12, type 1 (bf)
            "05 00 00 00", // value 5
            "07 00 00 00", // selector 7
          ),
          { bf: { value: 5, selector: 7 } },
        ),
    },
    {
      name: "nested set; unknown attributes kept (with their NLA_F bits) and re-emitted",
      run: () =>
        roundTrip(
          outer,
          hex(
            "14 00 01 80", //             nla_len 20, type 1 | NLA_F_NESTED (inner)
            "08 00 01 00 07 00 00 00", //   type 1 (id): 7
            "08 00 63 00 de ad be ef", //   type 99: unknown to inner-attrs
            "08 00 62 80", //             nla_len 8, type 98 | NLA_F_NESTED: unknown
            "04 00 05 00", //               its payload (an empty attribute)
            "07 00 02 00 61 62 00 00", // type 2 (name): "ab"
          ),
          {
            inner: { id: 7, unknown: [{ type: 99, bytes: hex("de ad be ef") }] },
            unknown: [{ type: 98, bytes: hex("04 00 05 00"), flags: 0x8000 }],
            name: "ab",
          },
          { strict: false },
        ),
    },
    {
      name: "indexed arrays (base 1 and 0) and multi-attr",
      run: () =>
        roundTrip(
          arrays,
          hex(
            "1c 00 01 80", //             nla_len 28, type 1 | NESTED (items)
            "0c 00 01 80", //               entry index 1 | NESTED
            "06 00 01 00 0a 00 00 00", //     type 1 (v): 10
            "0c 00 02 80", //               entry index 2 | NESTED
            "06 00 01 00 0b 00 00 00", //     type 1 (v): 11
            "08 00 02 00 01 00 00 00", // type 2 (tags): 1
            "08 00 02 00 02 00 00 00", // type 2 (tags): 2
            "14 00 03 80", //             nla_len 20, type 3 | NESTED (words)
            "08 00 00 00 05 00 00 00", //   index 0: 5
            "08 00 01 00 06 00 00 00", //   index 1: 6
          ),
          { items: [{ v: 10 }, { v: 11 }], tags: [1, 2], words: [5, 6] },
        ),
    },
    {
      name: "ordered list: order kept, unknown items round-trip in place",
      run: () =>
        roundTrip(
          flow,
          hex(
            "2c 00 01 00", //             nla_len 44, type 1 (actions), no NLA_F_NESTED
            "04 00 05 00", //               [0] type 5 (pop-vlan)
            "08 00 04 00 81 00 00 64", //   [1] type 4 (push-vlan): tpid 0x8100, tci 100
            "08 00 63 00 01 02 03 04", //   [2] type 99: unknown
            "0c 00 03 00", //               [3] type 3 (set), nla_len 12
            "08 00 01 00 07 00 00 00", //     type 1 (id): 7
            "08 00 01 00 02 00 00 00", //   [4] type 1 (output): 2
          ),
          {
            actions: [
              { kind: "popVlan", value: true },
              { kind: "pushVlan", value: { tpid: 0x8100, tci: 100 } },
              { kind: "unknown", type: 99, bytes: hex("01 02 03 04") },
              { kind: "set", value: { id: 7 } },
              { kind: "output", value: 2 },
            ],
          },
          { strict: false },
        ),
    },
    {
      name: "structs: byte order, C alignment and tail padding, arrays, enums, pad members",
      run: () => {
        assert.equal(keyIpv4.size, 12);
        assert.equal(dpStats.size, 32);
        assert.equal(arp.size, 24); // 22 bytes of members, aligned to 4
        assert.deepEqual(arp.offsets, { sip: 0, tip: 4, op: 8, sha: 10, tha: 16 });
        assert.equal(mixed.size, 16);
        assert.equal(nd.size, 28);
        assert.deepEqual(mixed.offsets, { a: 0, b: 4, c: 8, d: 12, e: 13 });
        roundTrip(
          structs,
          hex(
            "10 00 01 00", //             nla_len 16, type 1 (ipv4): struct ovs_key_ipv4
            "0a 00 00 01 0a 00 00 02", // src 10.0.0.1, dst 10.0.0.2 (__be32)
            "06 00 40 02", //             proto 6, tos 0, ttl 64, frag 2
            "24 00 02 00", //             nla_len 36, type 2 (stats): struct ovs_dp_stats
            "01 00 00 00 00 00 00 00", // hit 1
            "02 00 00 00 00 00 00 00", // missed 2
            "03 00 00 00 00 00 00 00", // lost 3
            "04 00 00 00 00 00 00 00", // flows 4
            "1c 00 03 00", //             nla_len 28, type 3 (arp): struct ovs_key_arp
            "c0 a8 00 01 c0 a8 00 02", // sip 192.168.0.1, tip 192.168.0.2
            "00 01", //                   op 1 (__be16)
            "00 11 22 33 44 55", //       sha
            "66 77 88 99 aa bb", //       tha
            "00 00", //                   tail padding to 24
            "14 00 04 00", //             nla_len 20, type 4 (mixed)
            "09 00 00 00", //             a 9 + 3 bytes alignment padding
            "2a 00 00 00", //             b 42 (u32 at offset 4)
            "00 01 00 02", //             c [1, 2] (__be16[2])
            "01 00 00 00", //             d x (1), pad[3]
            "20 00 05 00", //             nla_len 32, type 5 (nd): struct ovs_key_nd
            "fe 80 00 00 00 00 00 00", // target fe80::1 (__be32[4])
            "00 00 00 00 00 00 00 01",
            "00 11 22 33 44 55", //       sll
            "00 00 00 00 00 00", //       tll
          ),
          {
            ipv4: { src: "10.0.0.1", dst: "10.0.0.2", proto: 6, tos: 0, ttl: 64, frag: 2 },
            stats: { hit: 1n, missed: 2n, lost: 3n, flows: 4n },
            arp: {
              sip: "192.168.0.1",
              tip: "192.168.0.2",
              op: 1,
              sha: "00:11:22:33:44:55",
              tha: "66:77:88:99:aa:bb",
            },
            mixed: { a: 9, b: 42, c: [1, 2], d: "x" },
            nd: { target: "fe80::1", sll: "00:11:22:33:44:55", tll: "00:00:00:00:00:00" },
          },
        );
      },
    },
    {
      name: "enums and flag sets keep unknown values as numbers",
      run: () => {
        roundTrip(
          enums,
          hex(
            "05 00 01 00 02 00 00 00", // type 1 (kind): 2 = green
            "05 00 01 00 09 00 00 00", // type 1 (kind): 9, not in the enum
            "08 00 02 00 21 00 00 80", // type 2 (flags): 0x80000021 = a | c | 0x20
            "0c 00 03 00", //             type 3 (wide): u64 flags
            "01 00 00 00 00 01 04 00", // 1 | 2^40 | 2^50
          ),
          {
            kind: ["green", 9],
            flags: ["a", "c", 32],
            wide: ["low", "high", 2n ** 50n],
          },
        );
        // names, numbers and raw masks are all accepted when encoding
        assert.deepEqual(
          encode(enums, { kind: ["red"], flags: 0x21 }),
          hex("05 00 01 00 01 00 00 00", "08 00 02 00 21 00 00 00"),
        );
      },
    },
    {
      name: "keyed map (nest-type-value), two levels",
      run: () =>
        roundTrip(
          maps,
          hex(
            "14 00 01 80", //             nla_len 20, type 1 | NESTED (policy)
            "10 00 00 80", //               key 0 | NESTED (policy index 0)
            "0c 00 03 80", //                 key 3 | NESTED (attribute type 3)
            "08 00 01 00 04 00 00 00", //       type 1 (type): 4
          ),
          { policy: [{ key: 0, value: [{ key: 3, value: { type: 4 } }] }] },
        ),
    },
    {
      name: "struct codecs standalone: fixed headers (struct ovs_header)",
      run: () => {
        const ovsHeader = t.struct("ovs-header", { dpIfindex: t.s32() });
        const w = new NetlinkWriter();
        w.putU32(0xdeadbeef);
        ovsHeader.encodeTo(w, { dpIfindex: -1 });
        assert.deepEqual(w.bytes(), hex("ef be ad de", "ff ff ff ff"));
        assert.deepEqual(ovsHeader.decodeAt(w.bytes(), 4), { dpIfindex: -1 });
      },
    },
  ];
}

for (const mode of ["generated", "generic"] as const) {
  for (const c of cases()) {
    test(`schema codec (${mode}): ${c.name}`, () => {
      const before = codegenEnabled();
      try {
        if (mode === "generic") setCodegen(false);
        // schemas are built inside the test so that the mode applies to them
        const again = cases().find((x) => x.name === c.name)!;
        again.run();
      } finally {
        setCodegen(before);
      }
    });
  }
}

test("schema codec: IPv6 text follows RFC 5952", () => {
  const s = attrSet("v6", { a: [1, t.ipv6()] });
  const text = (groups: number[]) => {
    const b = new Uint8Array(20);
    b.set([20, 0, 1, 0]);
    groups.forEach((g, i) => {
      b[4 + 2 * i] = g >> 8;
      b[5 + 2 * i] = g & 0xff;
    });
    return s.decode(b).a;
  };
  assert.equal(text([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]), "2001:db8::1");
  assert.equal(text([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1]), "2001:db8::1:0:0:1"); // first of a tie
  assert.equal(text([0x2001, 0, 0, 1, 0, 0, 0, 1]), "2001:0:0:1::1"); // the longest run
  assert.equal(text([0x2001, 0xdb8, 0, 1, 1, 1, 1, 1]), "2001:db8:0:1:1:1:1:1"); // one 0 stays
  assert.equal(text([0, 0, 0, 0, 0, 0, 0, 0]), "::");
  assert.equal(text([0, 0, 0, 0, 0, 0, 0, 1]), "::1");
  assert.equal(text([1, 0, 0, 0, 0, 0, 0, 0]), "1::");
  assert.equal(text([0xfe80, 0, 0, 0, 0xabcd, 0, 0, 0]), "fe80::abcd:0:0:0");
  assert.equal(text([0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201]), "::ffff:192.0.2.1");

  const bytesOf = (addr: string) => encode(s, { a: addr }).subarray(4);
  assert.deepEqual(bytesOf("2001:0DB8:0000:0000:0000:0000:0000:0001"), bytesOf("2001:db8::1"));
  assert.deepEqual(
    bytesOf("::ffff:192.0.2.1"),
    hex("00 00 00 00 00 00 00 00 00 00 ff ff c0 00 02 01"),
  );
  assert.deepEqual(
    bytesOf("64:ff9b::192.0.2.33"),
    hex("00 64 ff 9b 00 00 00 00 00 00 00 00 c0 00 02 21"),
  );
  assert.deepEqual(
    bytesOf("1:2:3:4:5:6:7::"),
    hex("00 01 00 02 00 03 00 04 00 05 00 06 00 07 00 00"),
  );
  for (
    const bad of [
      "1::2::3",
      "12345::",
      "1:2:3:4:5:6:7:8:9",
      ":::",
      "1.2.3.4",
      "::ffff:1.2.3",
      "g::1",
      ":1::2",
      "1::2:",
      "",
    ]
  ) {
    assert.throws(() => bytesOf(bad), TypeError, bad);
  }
});

test("schema codec: IPv4 and MAC text, both directions", () => {
  const s = attrSet("a", { v4: [1, t.ipv4()], mac: [2, t.mac()] });
  assert.deepEqual(s.decode(encode(s, { v4: "255.0.10.1", mac: "AA:bb:0C:dd:EE:ff" })), {
    v4: "255.0.10.1",
    mac: "aa:bb:0c:dd:ee:ff",
  });
  for (
    const bad of [
      "256.0.0.1",
      "1.2.3",
      "01.2.3.4",
      "1.2.3.4.5",
      " 1.2.3.4",
      "1.2.3.4 ",
      "1..2.3",
      "1.2.3.",
      ".1.2.3",
      "1.2.3.1000",
      "1.2.3.00",
      "1.2.3.+4",
      "1.2.3.٤",
      "",
      16,
    ]
  ) {
    assert.throws(() => encode(s, { v4: bad }), TypeError, String(bad));
  }
  for (const [text, hex] of [["0.0.0.0", "00000000"], ["255.255.255.255", "ffffffff"]]) {
    const b = encode(s, { v4: text });
    assert.equal([...b.subarray(4, 8)].map((x) => x.toString(16).padStart(2, "0")).join(""), hex);
  }
  for (
    const bad of [
      "aa:bb:cc:dd:ee",
      "aa-bb-cc-dd-ee-ff",
      "aabb.ccdd.eeff",
      "gg:00:00:00:00:00",
      "aa:bb:cc:dd:ee:f",
      "aa:bb:cc:dd:ee:fff",
      "aa:bb:cc:dd:ee:f ",
      "aa:bb:cc:dd:ee:fg",
      "aa:bb:cc:dd:ee;ff",
    ]
  ) {
    assert.throws(() => encode(s, { mac: bad }), TypeError, bad);
  }
});

test("schema codec: introspection by key, type and YNL name", () => {
  const s = attrSet("ctrl-attrs", {
    familyId: [1, t.u16()],
    opPolicy: [9, t.u32()],
    weird: [3, t.u8(), { name: "weird-2name" }],
  });
  assert.equal(s.nameOf(9), "op-policy");
  assert.equal(s.nameOf(3), "weird-2name");
  assert.equal(s.nameOf(2), undefined);
  assert.equal(s.field("familyId")?.type, 1);
  assert.equal(s.field(9)?.key, "opPolicy");
  assert.deepEqual(s.fields.map((f) => f.name), ["family-id", "op-policy", "weird-2name"]);
  assert.equal(s.codecs.familyId.kind, "u16");
});

test("schema codec: definitions are validated", () => {
  assert.throws(() => attrSet("x", { a: [1, t.u8()], b: [1, t.u16()] }), /already used by a/);
  assert.throws(() => attrSet("x", { unknown: [1, t.u8()] }), /reserved/);
  assert.throws(() => attrSet("x", { a: [0x4000, t.u8()] }), RangeError);
  assert.throws(() => attrSet("x", { a: [1, {} as never] }), /expected a codec/);
  assert.throws(() => t.struct("s", { a: t.string() as never }), /fixed-size/);
  assert.throws(() => t.indexedArray(t.multi(t.u8())), /cannot be nested/);
  assert.throws(() => t.flags(t.u8(), { a: 0 }), RangeError);
});

test("schema codec: string encode writes ASCII in one pass, and undoes it for UTF-8 and NUL", () => {
  const set = attrSet("s", { name: [1, t.string({ maxLength: 8 })], id: [2, t.u8()] });
  const bytes = (v: Record<string, unknown>) => {
    const w = new NetlinkWriter();
    set.encode(w, v as never);
    return [...w.bytes()];
  };
  // "eth0" NUL, padded; then id
  assert.deepEqual(bytes({ name: "eth0", id: 1 }), [
    9,
    0,
    1,
    0,
    101,
    116,
    104,
    48,
    0,
    0,
    0,
    0,
    5,
    0,
    2,
    0,
    1,
    0,
    0,
    0,
  ]); // deno-fmt-ignore
  // non-ASCII after an ASCII prefix: UTF-8 (é = c3 a9), the prefix written once
  assert.deepEqual(bytes({ name: "ab\u00e9", id: 1 }), [9, 0, 1, 0, 97, 98, 0xc3, 0xa9, 0, 0, 0, 0, 5, 0, 2, 0, 1, 0, 0, 0]); // deno-fmt-ignore
  assert.deepEqual(bytes({ name: "" }), [5, 0, 1, 0, 0, 0, 0, 0]);
  // a NUL, or more UTF-8 bytes than fit: errors, the writer as it was
  const w = new NetlinkWriter();
  w.putU32(7);
  assert.throws(() => set.encode(w, { id: 1, name: "ab\0cd" }), /contains a NUL/);
  assert.throws(() => set.encode(w, { name: "abcdef\u00e9\u00e9" }), /10 bytes long \(UTF-8\)/);
  assert.throws(() => set.encode(w, { name: "abcdefghi" }), /9 bytes long, at most 8/);
  assert.deepEqual([...w.bytes()], [7, 0, 0, 0]);
  const again = new NetlinkWriter();
  again.reserve(12);
  again.truncate(0);
  set.encode(again, { name: "xy" });
  assert.deepEqual([...again.bytes()], [7, 0, 1, 0, 120, 121, 0, 0]);
});
