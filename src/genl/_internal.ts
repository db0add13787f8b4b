/**
 * Internals of the generic netlink layer shared by its modules (not part of the public API).
 *
 * @module
 */

import { ERRNO } from "../protocol/errno.ts";
import { NetlinkError } from "../protocol/errors.ts";

/** Kernel modules of families that are not built in, for "family not found" errors. */
const MODULE_HINTS: Record<string, string> = {
  ovs_datapath: "openvswitch",
  ovs_vport: "openvswitch",
  ovs_flow: "openvswitch",
  ovs_packet: "openvswitch",
  ovs_meter: "openvswitch",
  ovs_ct_limit: "openvswitch",
  mptcp_pm: "mptcp (CONFIG_MPTCP)",
  wireguard: "wireguard",
  nl80211: "cfg80211",
  team: "team",
  macsec: "macsec",
  l2tp: "l2tp_netlink",
  fou: "fou",
  gtp: "gtp",
  TASKSTATS: "taskstats (CONFIG_TASKSTATS)",
};

/** What to say when the controller has no family `nameOrId` (by name: which module to load). */
export function missingFamilyHint(nameOrId: string | number, module?: string): string {
  if (typeof nameOrId === "number") {
    return `The kernel has no generic netlink family with id ${nameOrId} (nlts genl list shows them)`;
  }
  const m = module ?? MODULE_HINTS[nameOrId];
  return m
    ? `The kernel has no generic netlink family "${nameOrId}": load its module (modprobe ${
      m.split(" ")[0]
    })`
    : `The kernel has no generic netlink family "${nameOrId}": is its module loaded?`;
}

/**
 * `e` as the error of a family lookup: an ENOENT from the controller becomes a
 * {@link NetlinkError} that says which family is missing (and which module to load); anything
 * else is returned as it is.
 */
export function missingFamily(
  e: unknown,
  nameOrId: string | number,
  module?: string,
): unknown {
  if (!(e instanceof NetlinkError) || e.errno !== ERRNO.ENOENT) return e;
  return new NetlinkError(e.errno, {
    operation: typeof nameOrId === "number"
      ? `resolve family id ${nameOrId}`
      : `resolve family ${nameOrId}`,
    seq: e.seq,
    extAck: e.extAck,
    hint: missingFamilyHint(nameOrId, module),
  });
}
