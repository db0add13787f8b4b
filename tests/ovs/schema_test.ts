// The OVS schemas against annotated bytes as the kernel sends them (decode -> deepEqual) and as
// requests must look (encode -> byte-equal). Pure: no kernel needed, but they live with the
// other OVS tests and run in the VM.
import { test } from "node:test";
import assert from "node:assert/strict";
import { DecodeError, NetlinkWriter } from "../../mod.ts";
import {
  ctLimitAttrs,
  datapathAttrs,
  decodeOvsMessage,
  inPortKey,
  keyInPort,
  megaflowStats,
  meterAttrs,
  outputActions,
  packetAttrs,
  toCtLimits,
  toDatapath,
  toMeter,
  toUpcall,
  toVport,
  u32Array,
  vportAttrs,
} from "../../src/ovs/mod.ts";
import { attrSet } from "../../src/protocol/schema.ts";
import { fixed2 } from "../../src/cli/dp.ts";

const bytes = (...rows: number[][]) => new Uint8Array(rows.flat());
const u64 = (
  n: number,
) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >> 24) & 0xff, 0, 0, 0, 0];
const encode = (fn: (w: NetlinkWriter) => void) => {
  const w = new NetlinkWriter();
  fn(w);
  return w.copy();
};

// An OVS_DP_CMD_GET reply after nlmsghdr.
const DP_REPLY = bytes(
  [3, 2, 0, 0], //                          genlmsghdr: cmd GET, version 2
  [5, 0, 0, 0], //                          ovs_header.dp_ifindex = 5
  [8, 0, 1, 0, 0x64, 0x70, 0x30, 0], //     NAME "dp0"
  [4, 0, 6, 0], //                          PAD (64-bit alignment of the next attribute)
  [36, 0, 3, 0], //                         STATS struct ovs_dp_stats
  u64(1), //                                  n_hit
  u64(2), //                                  n_missed
  u64(3), //                                  n_lost
  u64(4), //                                  n_flows
  [36, 0, 4, 0], //                         MEGAFLOW_STATS struct ovs_dp_megaflow_stats
  u64(10), //                                 n_mask_hit
  [2, 0, 0, 0], //                            n_masks
  [0xef, 0xbe, 0xad, 0xde], //                pad0 (ignored)
  u64(7), //                                  n_cache_hit
  [1, 2, 3, 4, 5, 6, 7, 8], //                pad1 (ignored)
  [8, 0, 5, 0, 3, 0, 0, 0], //              USER_FEATURES UNALIGNED | VPORT_PIDS
  [8, 0, 7, 0, 0, 1, 0, 0], //              MASKS_CACHE_SIZE 256
  [12, 0, 8, 0, 100, 0, 0, 0, 200, 0, 0, 0], // PER_CPU_PIDS [100, 200]
);

test("schema: datapath reply decodes (stats, megaflow padding, features, per-CPU pids)", () => {
  const m = decodeOvsMessage(DP_REPLY, datapathAttrs, { strict: true });
  assert.equal(m.cmd, 3);
  assert.equal(m.version, 2);
  assert.equal(m.dpIfindex, 5);
  assert.deepEqual(toDatapath(m.dpIfindex, m.attrs), {
    name: "dp0",
    ifindex: 5,
    stats: { hit: 1n, missed: 2n, lost: 3n, flows: 4n },
    megaflowStats: { maskHit: 10n, masks: 2, cacheHit: 7n },
    userFeatures: ["unaligned", "vportPids"],
    masksCacheSize: 256,
    perCpuPids: [100, 200],
  });
  assert.equal(megaflowStats.size, 32);
  assert.equal(megaflowStats.offsets.cacheHit, 16);
});

test("schema: datapath NEW request encodes byte for byte", () => {
  const got = encode((w) =>
    datapathAttrs.encode(w, {
      name: "dp0",
      upcallPid: 0x01020304,
      userFeatures: ["unaligned", "dispatchUpcallPerCpu"],
      perCpuPids: [7],
    })
  );
  assert.deepEqual(
    got,
    bytes(
      [8, 0, 1, 0, 0x64, 0x70, 0x30, 0], //   NAME "dp0"
      [8, 0, 2, 0, 4, 3, 2, 1], //            UPCALL_PID
      [8, 0, 5, 0, 9, 0, 0, 0], //            USER_FEATURES UNALIGNED | DISPATCH_UPCALL_PER_CPU
      [8, 0, 8, 0, 7, 0, 0, 0], //            PER_CPU_PIDS [7]
    ),
  );
  assert.deepEqual(datapathAttrs.decode(got).userFeatures, ["unaligned", "dispatchUpcallPerCpu"]);
});

const VPORT_VXLAN = bytes(
  [8, 0, 1, 0, 3, 0, 0, 0], //                      PORT_NO 3
  [8, 0, 2, 0, 4, 0, 0, 0], //                      TYPE vxlan
  [7, 0, 3, 0, 0x76, 0x78, 0, 0], //                NAME "vx" (+1 pad)
  [20, 0, 4, 0], //                                 OPTIONS (no NLA_F_NESTED, as the kernel)
  [6, 0, 1, 0, 0xb5, 0x12, 0, 0], //                  DST_PORT 4789 (host order u16, +2 pad)
  [8, 0, 2, 0], //                                    EXTENSION
  [4, 0, 1, 0], //                                      OVS_VXLAN_EXT_GBP
  [12, 0, 5, 0, 1, 0, 0, 0, 2, 0, 0, 0], //         UPCALL_PID [1, 2]
  [8, 0, 8, 0, 9, 0, 0, 0], //                      IFINDEX 9
  [8, 0, 9, 0, 0xff, 0xff, 0xff, 0xff], //          NETNSID -1
  [28, 0, 10, 0], // UPCALL_STATS
  [12, 0, 0, 0, ...u64(5)], //                        SUCCESS (type 0) 5
  [12, 0, 1, 0, ...u64(1)], //                        FAIL 1
);

test("schema: vport with tunnel options, upcall pids and upcall stats decodes", () => {
  const a = vportAttrs.decode(VPORT_VXLAN, 0, VPORT_VXLAN.length, { strict: true });
  assert.deepEqual(toVport(7, a), {
    dpIfindex: 7,
    portNo: 3,
    type: "vxlan",
    name: "vx",
    upcallPids: [1, 2],
    options: { dstPort: 4789, extension: { gbp: true } },
    ifindex: 9,
    netnsid: -1,
    upcallStats: { success: 5n, fail: 1n },
  });
});

test("schema: vport NEW request with options encodes like the kernel's own bytes", () => {
  const got = encode((w) =>
    vportAttrs.encode(w, {
      portNo: 3,
      type: "vxlan",
      name: "vx",
      options: { dstPort: 4789, extension: { gbp: true } },
      upcallPid: [1, 2],
    })
  );
  assert.deepEqual(got, VPORT_VXLAN.subarray(0, 8 + 8 + 8 + 20 + 12));
});

test("schema: u32 arrays reject bad lengths and values", () => {
  const s = attrSet("demo", { pids: [1, u32Array()] });
  assert.throws(() => s.decode(bytes([7, 0, 1, 0, 1, 2, 3, 0])), DecodeError);
  assert.throws(() => encode((w) => s.encode(w, { pids: [-1] })), RangeError);
  assert.throws(() => encode((w) => s.encode(w, { pids: [2 ** 32] })), RangeError);
  assert.deepEqual(s.decode(bytes([4, 0, 1, 0])).pids, []);
});

const ZONE_LIMITS = bytes(
  [28, 0, 1, 0], //                         ZONE_LIMIT: struct ovs_zone_limit[2]
  [0xff, 0xff, 0xff, 0xff, 10, 0, 0, 0, 0, 0, 0, 0], // zone_id -1 (default), limit 10, count 0
  [3, 0, 0, 0, 5, 0, 0, 0, 1, 0, 0, 0], //            zone 3, limit 5, count 1
);

test("schema: ct limit zone arrays round-trip; trailing bytes are a DecodeError", () => {
  const a = ctLimitAttrs.decode(ZONE_LIMITS, 0, ZONE_LIMITS.length, { strict: true });
  assert.deepEqual(a.zoneLimit, [
    { zoneId: -1, limit: 10, count: 0 },
    { zoneId: 3, limit: 5, count: 1 },
  ]);
  assert.deepEqual(toCtLimits(a.zoneLimit!), {
    defaultLimit: 10,
    zones: [{ zone: 3, limit: 5, count: 1 }],
  });
  assert.deepEqual(encode((w) => ctLimitAttrs.encode(w, { zoneLimit: a.zoneLimit! })), ZONE_LIMITS);
  const bad = bytes([12, 0, 1, 0], [1, 0, 0, 0, 2, 0, 0, 0]);
  assert.throws(() => ctLimitAttrs.decode(bad), (e: unknown) => {
    assert.ok(e instanceof DecodeError);
    assert.match(String((e as Error).message), /trailing bytes/);
    return true;
  });
});

test("schema: meter SET request encodes bands as OVS does; GET reply decodes", () => {
  const req = encode((w) =>
    meterAttrs.encode(w, {
      id: 1,
      kbps: true,
      bands: [{ type: "drop", rate: 1000, burst: 100 }],
    })
  );
  assert.deepEqual(
    req,
    bytes(
      [8, 0, 1, 0, 1, 0, 0, 0], //            ID 1
      [4, 0, 2, 0], //                        KBPS
      [32, 0, 4, 0], //                       BANDS
      [28, 0, 0, 0], //                         band (type 0, ignored by the kernel)
      [8, 0, 1, 0, 1, 0, 0, 0], //                TYPE drop
      [8, 0, 2, 0, 0xe8, 3, 0, 0], //             RATE 1000
      [8, 0, 3, 0, 100, 0, 0, 0], //              BURST 100
    ),
  );
  const reply = bytes(
    [8, 0, 1, 0, 1, 0, 0, 0], //              ID 1
    [20, 0, 3, 0, ...u64(9), ...u64(900)], // STATS packets 9 bytes 900
    [12, 0, 5, 0, ...u64(1234)], //           USED 1234 ms
    [28, 0, 4, 0], //                         BANDS
    [24, 0, 0, 0], //                           band
    [20, 0, 4, 0, ...u64(2), ...u64(200)], //     STATS packets 2 bytes 200
  );
  assert.deepEqual(toMeter(meterAttrs.decode(reply, 0, reply.length, { strict: true })), {
    id: 1,
    stats: { packets: 9n, bytes: 900n },
    used: 1234n,
    bands: [{ stats: { packets: 2n, bytes: 200n } }],
  });
});

test("schema: a MISS upcall with an unpadded last attribute (OVS_DP_F_UNALIGNED) decodes", () => {
  const payload = bytes(
    [1, 1, 0, 0], //                          genlmsghdr: cmd MISS, version 1
    [7, 0, 0, 0], //                          dp_ifindex 7
    [12, 0, 2, 0], //                         KEY
    [8, 0, 3, 0, 2, 0, 0, 0], //                OVS_KEY_ATTR_IN_PORT 2
    [12, 0, 11, 0, ...u64(0x1234)], //        HASH
    [9, 0, 1, 0, 0xde, 0xad, 0xbe, 0xef, 0x01], // PACKET, 5 bytes, no padding after it
  );
  const m = decodeOvsMessage(payload, packetAttrs, { strict: true });
  const u = toUpcall(m.cmd, m.dpIfindex, m.attrs);
  assert.equal(u.cmd, "miss");
  assert.equal(u.dpIfindex, 7);
  assert.deepEqual(u.packet, bytes([0xde, 0xad, 0xbe, 0xef, 0x01]));
  assert.equal(u.hash, 0x1234n);
  assert.equal(keyInPort(u.key), 2);
});

test("schema: output actions, in_port keys, and in_port lookup in malformed keys", () => {
  assert.deepEqual(
    outputActions([1, 2]),
    bytes([8, 0, 1, 0, 1, 0, 0, 0], [8, 0, 1, 0, 2, 0, 0, 0]),
  );
  assert.deepEqual(outputActions([]), new Uint8Array(0));
  assert.throws(() => outputActions([-1]), RangeError);
  assert.deepEqual(inPortKey(3), bytes([8, 0, 3, 0, 3, 0, 0, 0]));
  assert.equal(keyInPort(bytes([8, 0, 1, 0, 0, 0, 0, 0], [8, 0, 3, 0, 9, 0, 0, 0])), 9);
  assert.equal(keyInPort(bytes([200, 0, 3, 0, 9, 0, 0, 0])), undefined);
  assert.equal(keyInPort(bytes([2, 0])), undefined);
  assert.equal(keyInPort(new Uint8Array(0)), undefined);
});

test("cli: printf-style %.2f (round half to even on exact ties)", () => {
  assert.equal(fixed2(0), "0.00");
  assert.equal(fixed2(0.125), "0.12"); // exact tie: glibc rounds to even
  assert.equal(fixed2(0.375), "0.38");
  assert.equal(fixed2(1 / 3), "0.33");
  assert.equal(fixed2(0.005), "0.01"); // 0.005 is slightly above the tie as a double
  assert.equal(fixed2(250), "250.00");
});
