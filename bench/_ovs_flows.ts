/**
 * The flow table the OVS benchmarks install and dump (bench/ovs_flow_bench.ts in the guest,
 * bench/ovs_flow_replay.ts on any host), so that both measure the same flows: flow `i` matches
 * in_port 1, ethertype IPv4 and IPv4 source {@link srcOf}(i) under one shared mask, and outputs
 * to port 2.
 *
 * @module
 */
import type { FlowInit, FlowMask } from "../src/ovs/mod.ts";

/** The Ethernet key and mask of every flow (all-zero addresses: not matched on). */
export const ETH = { src: "00:00:00:00:00:00", dst: "00:00:00:00:00:00" };

/** The one mask of the table: in_port, ethertype and the IPv4 source exactly, frag fully. */
export const MASK: FlowMask = {
  inPort: 0xffffffff,
  ethernet: ETH,
  ethertype: 0xffff,
  ipv4: { src: "255.255.255.255", dst: "0.0.0.0", proto: 0, tos: 0, ttl: 0, frag: 0xff },
};

/** The actions of every flow. */
export const ACTIONS = [{ kind: "output", value: 2 }] as const;

/** Flow `i`'s IPv4 source: 10.x.y.z from i's low 24 bits. */
export function srcOf(i: number): string {
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
}

/** Flow `i` of the table, identified by `ufid`. */
export function flowOf(i: number, ufid: Uint8Array): FlowInit {
  return {
    ufid,
    key: {
      inPort: 1,
      ethernet: ETH,
      ethertype: 0x0800,
      ipv4: { src: srcOf(i), dst: "0.0.0.0", proto: 0, tos: 0, ttl: 0, frag: 0 },
    },
    mask: MASK,
    actions: ACTIONS as never,
  };
}
