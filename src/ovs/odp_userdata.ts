/**
 * Open vSwitch's `struct user_action_cookie` (internal): the 48-byte userdata that
 * ovs-vswitchd puts in `userspace` actions, which the datapath text format shows as
 * `sFlow(...)`, `slow_path(...)`, `flow_sample(...)`, `ipfix(...)` or `controller(...)`.
 * Host byte order (little-endian), as ovs-dpctl reads it on the same machine.
 *
 * Layout: u16 type, u16 pad, u32 ofp_in_port, 16-byte ofproto uuid, then a 24-byte union.
 *
 * @module
 */

import type { PortNames } from "./odp_key_format.ts";
import { formatFlags } from "./odp_key_format.ts";

/** Size of `struct user_action_cookie`. */
export const COOKIE_SIZE = 48;

/** Cookie types (`USER_ACTION_COOKIE_*`). */
export const COOKIE = { SFLOW: 1, SLOW_PATH: 2, FLOW_SAMPLE: 3, IPFIX: 4, CONTROLLER: 5 } as const;

/** `OFPP_NONE`, the in-port Open vSwitch writes in cookies it parses from text. */
const OFPP_NONE = 0xffff;

/** Slow path reasons (`SLOW_PATH_REASONS`). */
export const SLOW_PATH_TEXT: ReadonlyMap<number, string> = new Map([
  [1, "cfm"],
  [2, "bfd"],
  [4, "lacp"],
  [8, "stp"],
  [16, "lldp"],
  [32, "action"],
  [64, "match"],
]);

function port(p: number, names: PortNames | undefined): string {
  return names?.get(p) ?? String(p);
}

/**
 * The text of a userdata that is a known cookie (",sFlow(...)" etc.), or null to print the
 * bytes as `userdata(...)`.
 */
export function formatCookie(u: Uint8Array, names: PortNames | undefined): string | null {
  if (u.length !== COOKIE_SIZE) return null;
  const v = new DataView(u.buffer, u.byteOffset, u.byteLength);
  switch (v.getUint16(0, true)) {
    case COOKIE.SFLOW: {
      const tci = v.getUint16(24, false);
      return `,sFlow(vid=${tci & 0xfff},pcp=${tci >> 13},output=${v.getUint32(28, true)})`;
    }
    case COOKIE.SLOW_PATH:
      return `,slow_path(${formatFlags(SLOW_PATH_TEXT, v.getUint32(28, true), ",")})`;
    case COOKIE.FLOW_SAMPLE: {
      const dir = v.getUint32(44, true);
      return `,flow_sample(probability=${v.getUint16(24, true)},collector_set_id=${
        v.getUint32(28, true)
      },obs_domain_id=${v.getUint32(32, true)},obs_point_id=${v.getUint32(36, true)},output_port=${
        port(v.getUint32(40, true), names)
      }${dir === 1 ? ",ingress" : dir === 2 ? ",egress" : ""})`;
    }
    case COOKIE.IPFIX:
      return `,ipfix(output_port=${port(v.getUint32(24, true), names)})`;
    case COOKIE.CONTROLLER: {
      const rc = v.getBigUint64(32, false);
      return `,controller(reason=${v.getUint16(26, true)},dont_send=${u[24] ? 1 : 0},continuation=${
        u[25] ? 1 : 0
      },recirc_id=${v.getUint32(28, true)},rule_cookie=${
        rc === 0n ? "0" : "0x" + rc.toString(16)
      },controller_id=${v.getUint16(40, true)},max_len=${v.getUint16(42, true)})`;
    }
    default:
      return null;
  }
}

/** A zeroed cookie of `type` with in-port OFPP_NONE, as Open vSwitch builds from text. */
export function newCookie(type: number): [Uint8Array, DataView] {
  const u = new Uint8Array(COOKIE_SIZE);
  const v = new DataView(u.buffer);
  v.setUint16(0, type, true);
  v.setUint32(4, OFPP_NONE, true);
  return [u, v];
}
