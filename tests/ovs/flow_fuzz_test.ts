// Seeded random flows through the kernel: random keys (within the shapes Linux accepts) and
// random action lists installed in one batch; the kernel's dump replies re-encode byte for byte
// (decode -> encode), their actions are the ones installed, and truncated or corrupted kernel
// messages raise DecodeError only.
import { test } from "node:test";
import assert from "node:assert/strict";
import { OVS_HDRLEN } from "../../src/ovs/common.ts";
import type { Action } from "../../src/ovs/actions.ts";
import { decodeFlowMessage, type FlowInit, ovsFlowFamily } from "../../src/ovs/flow.ts";
import { flowAttrs, formatUfid, OVS_FLOW_CMD } from "../../src/ovs/flow_attrs.ts";
import type { FlowKey, FlowMask } from "../../src/ovs/keys.ts";
import { DecodeError } from "../../src/protocol/errors.ts";
import { NetlinkWriter } from "../../src/protocol/writer.ts";
import { Rng } from "../ovs_text/_random.ts";
import { makeFlowDp } from "./_flow_helpers.ts";
import { CT_ZONES, skip } from "./_helpers.ts";

const ONES = 0xffffffff;

function mac(r: Rng): string {
  return Array.from(
    { length: 6 },
    (_, i) => (i === 0 ? r.u8() & 0xfe : r.u8()).toString(16).padStart(2, "0"),
  )
    .join(":");
}

function ip4(r: Rng): string {
  return `${1 + r.int(223)}.${r.u8()}.${r.u8()}.${r.u8()}`;
}

function hex16(r: Rng): string {
  return r.u16().toString(16);
}

function ip6(r: Rng): string {
  return `2001:db8:${hex16(r)}:${hex16(r)}::${hex16(r)}`;
}

/** A random flow of one of the shapes the kernel accepts; `i` keeps keys apart. */
function randomFlow(r: Rng, i: number): FlowInit {
  const eth = { src: mac(r), dst: mac(r) };
  const ethMask = {
    src: r.bool() ? "ff:ff:ff:ff:ff:ff" : "ff:ff:ff:00:00:00",
    dst: "00:00:00:00:00:00",
  };
  const key: FlowKey = { recircId: r.int(4), inPort: 1 + r.int(3), ethernet: eth };
  const mask: FlowMask = { recircId: ONES, inPort: ONES, ethernet: ethMask };
  const l3 = r.int(4);
  const ipOnly: Action[] = [];
  if (l3 === 0) {
    key.ethertype = 0x0806;
    mask.ethertype = 0xffff;
    key.arp = { sip: ip4(r), tip: ip4(r), op: 1 + r.int(2), sha: mac(r), tha: mac(r) };
    mask.arp = {
      sip: "255.255.255.255",
      tip: "0.0.0.0",
      op: 0xffff,
      sha: "00:00:00:00:00:00",
      tha: "00:00:00:00:00:00",
    };
  } else if (l3 === 3) {
    key.ethertype = 0x86dd;
    mask.ethertype = 0xffff;
    const proto = r.pick([6, 17, 58]);
    key.ipv6 = {
      src: ip6(r),
      dst: ip6(r),
      label: r.int(0x100000),
      proto,
      tclass: r.u8(),
      hlimit: r.u8(),
      frag: 0,
    };
    mask.ipv6 = {
      src: "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
      dst: "::",
      label: 0,
      proto: 0xff,
      tclass: 0,
      hlimit: 0,
      frag: 0xff,
    };
    if (proto === 58) {
      key.icmpv6 = { type: 128 + r.int(2), code: 0 };
      mask.icmpv6 = { type: 0xff, code: 0 };
    } else {
      const ports = { src: r.u16(), dst: r.u16() };
      const pm = { src: 0, dst: r.bool() ? 0xffff : 0xff00 };
      if (proto === 6) {
        key.tcp = ports;
        mask.tcp = pm;
        key.tcpFlags = 0;
        mask.tcpFlags = 0;
      } else {
        key.udp = ports;
        mask.udp = pm;
      }
    }
    const v6 = { src: "::", dst: "::", label: 0, proto: 0, tclass: 0, hlimit: r.u8(), frag: 0 };
    ipOnly.push({
      kind: "setMasked",
      value: { key: { ipv6: v6 }, mask: { ipv6: { ...v6, hlimit: 0xff } } },
    });
  } else {
    key.ethertype = 0x0800;
    mask.ethertype = 0xffff;
    const proto = r.pick([1, 6, 17, 132]);
    key.ipv4 = {
      src: ip4(r),
      dst: `10.${i >> 16 & 255}.${i >> 8 & 255}.${i & 255}`,
      proto,
      tos: r.u8() & 0xfc,
      ttl: 1 + r.int(255),
      frag: 0,
    };
    mask.ipv4 = { src: "0.0.0.0", dst: "255.255.255.255", proto: 0xff, tos: 0, ttl: 0, frag: 0xff };
    if (proto === 1) {
      key.icmp = { type: r.int(20), code: r.int(4) };
      mask.icmp = { type: 0xff, code: 0xff };
    } else {
      const ports = { src: r.u16(), dst: r.u16() };
      const pm = { src: r.bool() ? 0xffff : 0, dst: 0xffff };
      if (proto === 6) {
        key.tcp = ports;
        mask.tcp = pm;
        key.tcpFlags = 0;
        mask.tcpFlags = 0;
      } else if (proto === 17) {
        key.udp = ports;
        mask.udp = pm;
      } else {
        key.sctp = ports;
        mask.sctp = pm;
      }
    }
    ipOnly.push(
      {
        kind: "ct",
        value: {
          ...(CT_ZONES ? { zone: r.u16() } : {}),
          ...(r.bool() ? { commit: true as const } : {}),
        },
      },
      { kind: "ctClear", value: true },
    );
  }
  const actions: Action[] = [];
  const n = 1 + r.int(5);
  const pool: (() => Action)[] = [
    () => ({ kind: "output", value: 1 + r.int(3) }),
    () => ({ kind: "pushVlan", value: { tpid: 0x8100, tci: 0x1000 | r.int(4096) } }),
    () => ({ kind: "recirc", value: r.u32() }),
    () => ({ kind: "trunc", value: 64 + r.int(1400) }),
    // The kernel wants a non-zero upcall pid.
    () => ({
      kind: "userspace",
      value: { pid: 1 + r.int(0xfffffffe), userdata: r.bytes(r.int(24)) },
    }),
    () => ({ kind: "hash", value: { alg: 0, basis: r.u32() } }),
    () => ({
      kind: "sample",
      value: { probability: r.u32(), actions: [{ kind: "output", value: 2 }] },
    }),
    () => ({ kind: "clone", value: [{ kind: "output", value: 1 + r.int(3) }] }),
    () => ({ kind: "set", value: { skbMark: r.u32() } }),
    () => ({
      kind: "setMasked",
      value: {
        key: { ethernet: { src: mac(r), dst: "00:00:00:00:00:00" } },
        mask: { ethernet: { src: "ff:ff:ff:ff:ff:ff", dst: "00:00:00:00:00:00" } },
      },
    }),
    ...ipOnly.map((a) => () => a),
  ];
  const l2 = pool.length - ipOnly.length;
  for (let k = 0; k < n; k++) {
    // After push_vlan the packet is no IP packet to the kernel: no ct or IPv6 rewrites then.
    const pushed = actions.some((a) => a.kind === "pushVlan");
    actions.push(pool[r.int(pushed ? l2 : pool.length)]());
  }
  const ufid = r.bytes(16);
  ufid[0] = i & 255;
  ufid[1] = i >> 8;
  return { key, mask, actions, ufid };
}

/** Every reply of a raw dump (payload bytes as the kernel sent them). */
function rawDump(dp: ReturnType<typeof makeFlowDp>): Uint8Array[] {
  const w = new NetlinkWriter();
  const m = w.beginMessage(dp.table.family.id, 0);
  w.putU8(OVS_FLOW_CMD.GET).putU8(ovsFlowFamily.version).putU16(0).putS32(dp.table.dpIfindex);
  w.endMessage(m);
  const out: Uint8Array[] = [];
  dp.genl.socket.exchangeSync(w.copy(), { dump: true }, (it) => out.push(it.payload()));
  return out;
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

test(
  "flow fuzz: random flows through the kernel re-encode byte for byte, actions intact",
  { skip },
  () => {
    using dp = makeFlowDp("fz");
    const r = new Rng(0xf1a5);
    const flows: FlowInit[] = [];
    for (let i = 0; i < 400; i++) flows.push(randomFlow(r, i));
    const res = dp.table.newBatch(flows);
    const refused = res.errors.map((e) =>
      `${e.error.code}: ${
        JSON.stringify(flows[e.index].actions, (_k, v) => typeof v === "bigint" ? `${v}` : v)
      }`
    );
    // Every shape and action combination generated is one the kernel accepts.
    assert.deepEqual(refused, []);
    const byUfid = new Map(flows.map((f) => [formatUfid(f.ufid!), f]));
    const refusedIdx = new Set(res.errors.map((e) => e.index));

    const payloads = rawDump(dp);
    assert.equal(payloads.length, res.ok);
    let actionsSame = 0;
    for (const p of payloads) {
      // decode -> encode is the kernel's bytes again.
      const attrs = flowAttrs.decode(p, OVS_HDRLEN);
      const w = new NetlinkWriter();
      w.putBytes(p.subarray(0, OVS_HDRLEN));
      flowAttrs.encode(w, attrs as never);
      assert.equal(hex(w.copy()), hex(p));
      const f = decodeFlowMessage(p);
      const sent = byUfid.get(formatUfid(f.ufid!));
      assert.ok(sent, "a UFID we sent");
      assert.ok(!refusedIdx.has(flows.indexOf(sent)));
      assert.deepEqual(f.actions, sent.actions);
      actionsSame++;
    }
    assert.equal(actionsSame, res.ok);

    // Truncated and corrupted kernel messages: DecodeError or a value, nothing else.
    let errors = 0;
    for (let i = 0; i < payloads.length; i++) {
      const p = payloads[i];
      const cut = p.subarray(0, r.int(p.length));
      const bad = p.slice();
      for (let k = 0; k < 1 + r.int(6); k++) {
        bad[OVS_HDRLEN + r.int(p.length - OVS_HDRLEN)] = r
          .u8();
      }
      for (const x of [cut, bad]) {
        try {
          decodeFlowMessage(x);
        } catch (e) {
          assert.ok(e instanceof DecodeError, `${e}`);
          errors++;
        }
      }
    }
    assert.ok(errors > payloads.length / 4, `${errors} DecodeErrors`);
  },
);
