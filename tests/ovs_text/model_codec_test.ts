// Annotated byte fixtures of the flow model: a key, a mask and an action list as the kernel
// sends them, decoded -> deepEqual and encoded -> byte-equal.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  type Action,
  decodeActions,
  decodeFlowKey,
  encodeActions,
  encodeFlowKey,
  flowAttrs,
  type FlowKey,
  flowKeyAttrs,
  formatUfid,
  OVS_ACTION_ATTR,
  OVS_KEY_ATTR,
  ovsKeyArp,
  ovsKeyCtTupleIpv4,
  ovsKeyCtTupleIpv6,
  ovsKeyIpv6,
  ovsKeyNd,
  ovsKeyNdExtensions,
  parseUfid,
} from "./_ovs.ts";
import { NetlinkWriter } from "../../src/protocol/mod.ts";
import { DecodeError } from "../../src/protocol/errors.ts";

function hex(...lines: string[]): Uint8Array {
  return Uint8Array.from(lines.join(" ").trim().split(/\s+/).map((b) => parseInt(b, 16)));
}

const KEY_BYTES = hex(
  "08 00 03 00  03 00 00 00", // in_port 3
  "10 00 04 00  00 01 02 03 04 05  10 11 12 13 14 15", // eth src, dst
  "06 00 06 00  08 00 00 00", // eth_type 0x0800 (+2 pad)
  "10 00 07 00  0a 00 00 01  0a 00 00 02  06 00 40 00", // ipv4 10.0.0.1 > 10.0.0.2 tcp ttl 64
  "08 00 09 00  00 50 1f 90", // tcp 80 > 8080
  "08 00 16 00  22 00 00 00", // ct_state est|trk
  "08 00 15 00  00 06 41 40", // mpls label 100, bos, ttl 64
  "24 00 10 00", // tunnel, 36 bytes
  "  0c 00 00 00  00 00 00 00 00 00 00 05", // id 5 (type 0, be64)
  "  08 00 02 00  01 01 01 01", // ipv4 dst 1.1.1.1
  "  05 00 04 00  40 00 00 00", // ttl 64
  "  04 00 06 00", // csum
  "06 00 28 00  aa bb 00 00", // type 40: unknown, kept
);

const KEY: FlowKey = {
  inPort: 3,
  ethernet: { src: "00:01:02:03:04:05", dst: "10:11:12:13:14:15" },
  ethertype: 0x0800,
  ipv4: { src: "10.0.0.1", dst: "10.0.0.2", proto: 6, tos: 0, ttl: 64, frag: 0 },
  tcp: { src: 80, dst: 8080 },
  ctState: ["established", "tracked"],
  mpls: [0x00064140],
  tunnel: { id: 5n, ipv4Dst: "1.1.1.1", ttl: 64, csum: true },
  unknown: [{ type: 40, bytes: Uint8Array.from([0xaa, 0xbb]) }],
};

test("model: flow key fixture decodes and encodes byte for byte", () => {
  assert.deepEqual(decodeFlowKey(KEY_BYTES), KEY);
  assert.deepEqual(encodeFlowKey(KEY), KEY_BYTES);
});

test("model: struct sizes follow <linux/openvswitch.h>", () => {
  assert.equal(ovsKeyArp.size, 24);
  assert.equal(ovsKeyNd.size, 28);
  assert.equal(ovsKeyIpv6.size, 40);
  assert.equal(ovsKeyCtTupleIpv4.size, 16);
  assert.equal(ovsKeyCtTupleIpv6.size, 40);
  assert.equal(ovsKeyNdExtensions.size, 8);
  assert.equal(OVS_KEY_ATTR.IPV6_EXTHDRS, 32);
  assert.equal(flowKeyAttrs.nameOf(32), "ipv6-exthdrs");
  assert.equal(OVS_ACTION_ATTR.PSAMPLE, 25);
});

test("model: encap nests a key (recursion) and ipv6_exthdrs is a u16 struct", () => {
  const key: FlowKey = {
    ethertype: 0x8100,
    vlan: 0x1000 | 99,
    encap: { ethertype: 0x86dd, ipv6Exthdrs: { hdrs: 0x0104 }, encap: { priority: 1 } },
  };
  const bytes = encodeFlowKey(key);
  assert.deepEqual(
    bytes,
    hex(
      "06 00 06 00  81 00 00 00", // eth_type 0x8100
      "06 00 05 00  10 63 00 00", // vlan tci 0x1063
      "20 00 01 00", // encap (no NLA_F_NESTED, like OVS and the kernel)
      "  06 00 06 00  86 dd 00 00",
      "  06 00 20 00  04 01 00 00", // ipv6_exthdrs hdrs (host order)
      "  0c 00 01 00  08 00 02 00  01 00 00 00", // encap { priority 1 }
    ),
  );
  assert.deepEqual(decodeFlowKey(bytes), key);
});

const ACTION_BYTES = hex(
  "08 00 01 00  02 00 00 00", // output 2
  "2c 00 0c 00", // ct, 44 bytes
  "  04 00 01 00", // commit
  "  06 00 02 00  05 00 00 00", // zone 5
  "  1c 00 06 00", // nat, 28 bytes
  "    04 00 01 00", // src
  "    14 00 03 00  fe 80 00 00 00 00 00 00 00 00 00 00 00 00 00 01", // ip_min: 16 bytes = IPv6
  "10 00 0b 00", // set_masked
  "  0c 00 09 00  00 50 00 00  ff ff 00 00", // tcp value, then mask
  "14 00 19 80", // psample (NLA_F_NESTED: the kernel parses it strictly)
  "  08 00 01 00  0c 00 00 00", // group 12
  "  07 00 02 00  01 02 03 00", // cookie
  "18 00 06 00", // sample
  "  08 00 01 00  ff ff ff 7f", // probability
  "  0c 00 02 00  08 00 01 00  03 00 00 00", // actions: output 3
  "06 00 28 00  aa bb 00 00", // type 40: unknown, kept in place
  "08 00 18 00  00 00 00 00", // drop (reason 0)
);

const ACTIONS: Action[] = [
  { kind: "output", value: 2 },
  { kind: "ct", value: { commit: true, zone: 5, nat: { src: true, ipMin: "fe80::1" } } },
  {
    kind: "setMasked",
    value: { key: { tcp: { src: 80, dst: 0 } }, mask: { tcp: { src: 0xffff, dst: 0 } } },
  },
  { kind: "psample", value: { group: 12, cookie: Uint8Array.from([1, 2, 3]) } },
  { kind: "sample", value: { probability: 0x7fffffff, actions: [{ kind: "output", value: 3 }] } },
  { kind: "unknown", type: 40, bytes: Uint8Array.from([0xaa, 0xbb]) },
  { kind: "drop", value: 0 },
];

test("model: action list fixture decodes and encodes byte for byte", () => {
  assert.deepEqual(decodeActions(ACTION_BYTES), ACTIONS);
  assert.deepEqual(encodeActions(ACTIONS), ACTION_BYTES);
});

test("model: nat addresses are IPv4 or IPv6 by length", () => {
  const four = encodeActions([{
    kind: "ct",
    value: { nat: { dst: true, ipMin: "10.0.0.1", ipMax: "10.0.0.9" } },
  }]);
  assert.deepEqual(
    four,
    hex(
      "1c 00 0c 00",
      "  18 00 06 00",
      "    04 00 02 00",
      "    08 00 03 00  0a 00 00 01",
      "    08 00 04 00  0a 00 00 09",
    ),
  );
  // A 3-byte address: DecodeError naming the attribute.
  const w = new NetlinkWriter();
  const ct = w.beginAttr(OVS_ACTION_ATTR.CT);
  const nat = w.beginAttr(6);
  const ip = w.beginAttr(3);
  w.putBytes(Uint8Array.from([10, 0, 0]));
  w.endAttr(ip);
  w.endAttr(nat);
  w.endAttr(ct);
  assert.throws(
    () => decodeActions(w.copy()),
    (e) => e instanceof DecodeError && /ip-min/.test(e.message),
  );
});

test("model: set_masked of nsh splits each nested attribute", () => {
  const a: Action[] = [{
    kind: "setMasked",
    value: {
      key: { nsh: { base: { flags: 0, ttl: 10, mdtype: 0, np: 0, pathHdr: 0x100 } } },
      mask: { nsh: { base: { flags: 0, ttl: 0xff, mdtype: 0, np: 0, pathHdr: 0xffffff00 } } },
    },
  }];
  const b = encodeActions(a);
  assert.deepEqual(
    b,
    hex(
      "1c 00 0b 00", // set_masked
      "  18 00 1c 00", // OVS_KEY_ATTR_NSH
      "    14 00 01 00  00 0a 00 00 00 00 01 00  00 ff 00 00 ff ff ff 00", // base value, mask
    ),
  );
  assert.deepEqual(decodeActions(b), a);
});

test("model: a set_masked of an attribute the model cannot split is kept whole", () => {
  const b = hex("10 00 0b 00", "  0c 00 30 00  01 02 03 04 05 06 07 08");
  const a = decodeActions(b);
  assert.deepEqual(a, [{
    kind: "setMasked",
    value: { key: { unknown: [{ type: 48, bytes: hex("01 02 03 04 05 06 07 08") }] }, mask: {} },
  }]);
  assert.deepEqual(encodeActions(a), b);
});

test("model: malformed set_masked and mpls payloads raise DecodeError", () => {
  assert.throws(() => decodeActions(hex("0c 00 0b 00", "  08 00 09 00  00 50 00 00")), DecodeError);
  assert.throws(() => decodeFlowKey(hex("06 00 15 00  00 06 00 00")), DecodeError);
});

test("model: flowAttrs decodes a dumped flow; UFIDs print like ovs-dpctl", () => {
  const ufid = parseUfid("c5a37a41-3b5f-4d9c-b27f-1c9e0e4a5d6f");
  assert.equal(formatUfid(ufid), "c5a37a41-3b5f-4d9c-b27f-1c9e0e4a5d6f");
  assert.deepEqual([...ufid.subarray(0, 4)], [0x41, 0x7a, 0xa3, 0xc5]); // host-order words
  const w = new NetlinkWriter();
  flowAttrs.encode(w, {
    key: { inPort: 1 },
    ufid,
    mask: { inPort: 0xffffffff },
    stats: { packets: 3n, bytes: 180n },
    used: 1234n,
    actions: [{ kind: "output", value: 2 }],
  });
  const f = flowAttrs.decode(w.bytes());
  assert.deepEqual(f.key, { inPort: 1 });
  assert.deepEqual(f.stats, { packets: 3n, bytes: 180n });
  assert.deepEqual(f.actions, [{ kind: "output", value: 2 }]);
  assert.equal(f.used, 1234n);
});
