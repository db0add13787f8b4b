/**
 * The Open vSwitch kernel datapath over generic netlink: {@link OvsClient} (datapaths, ports,
 * packet execution, upcalls, meters, conntrack limits, notifications), {@link FlowTable} (flows),
 * the flow key/mask and action model with the datapath text format (`parseFlowKey`,
 * `formatFlow`, ...), and the family descriptions and schemas they are built from
 * (`ovs_datapath`, `ovs_vport`, `ovs_flow`, `ovs_packet`, `ovs_meter`, `ovs_ct_limit`), with
 * numbers from `<linux/openvswitch.h>`.
 *
 * @example
 * ```ts
 * import { OvsClient } from "@nlts/netlink/ovs";
 * using ovs = OvsClient.open();
 * await ovs.newDatapath("dp0");
 * await ovs.newVport("dp0", "dp0-a", { type: "internal" });
 * for (const dp of await ovs.dumpDatapaths()) {
 *   console.log(dp.name, dp.stats);
 *   for (const p of await ovs.dumpVports(dp.ifindex)) console.log(`  port ${p.portNo}: ${p.name}`);
 * }
 * await ovs.delDatapath("dp0");
 * ```
 *
 * @module
 */

export * from "./common.ts";
export * from "./datapath.ts";
export * from "./vport.ts";
export * from "./packet.ts";
export * from "./meter.ts";
export * from "./ct_limit.ts";
export * from "./client.ts";
export { isTunnelType, type TunnelConfig, type TunnelType } from "./tunnel.ts";
export * from "./keys.ts";
export * from "./keys_codecs.ts";
export * from "./actions.ts";
export * from "./actions_codecs.ts";
export * from "./flow_attrs.ts";
export * from "./odp_text.ts";
export * from "./flow.ts";
export * from "./flow_filter.ts";
export * from "./flow_lines.ts";
