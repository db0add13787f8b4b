/**
 * {@link OvsClient}: one generic netlink socket that resolves the six Open vSwitch datapath
 * families at once (ovs_datapath, ovs_vport, ovs_flow, ovs_packet, ovs_meter, ovs_ct_limit)
 * and offers typed operations on datapaths, ports, packets, meters and conntrack limits, plus
 * notifications and upcall sockets.
 *
 * Reads (get, dump, features) work unprivileged where the kernel allows; changes need
 * CAP_NET_ADMIN (the NetlinkError for EPERM says so).
 *
 * @module
 */

import type { Libc } from "../socket/mod.ts";
import { type FamilyInfo, GenlSocket } from "../genl/family.ts";
import type { Family } from "../genl/family.ts";
import { NETLINK, NLM_F_NEW } from "../protocol/constants.ts";
import { NetlinkError } from "../protocol/errors.ts";
import { NetlinkSocket } from "../socket/netlink_socket.ts";
import {
  checkOptionalInt,
  checkOptions,
  checkString,
  describeValue,
} from "../protocol/_validate.ts";
import { datapathName, type DatapathRef, type UserFeature } from "./common.ts";
import { type CtLimits, ovsCtLimit, toCtLimits } from "./ct_limit.ts";
import { type Datapath, ovsDatapath, toDatapath } from "./datapath.ts";
import { type Flow, FlowTable, ovsFlow, toFlow } from "./flow.ts";
import {
  type Meter,
  type MeterBandType,
  type MeterConfig,
  type MeterFeatures,
  ovsMeter,
  toMeter,
} from "./meter.ts";
import { ovsPacket, packetBytes, type PacketExecute, UpcallSocket } from "./packet.ts";
import { RouteClient } from "../route/client.ts";
import {
  createTunnelDevice,
  isTunnelDevice,
  isTunnelType,
  type TunnelConfig,
  type TunnelType,
} from "./tunnel.ts";
import { ovsVport, toVport, type Vport, type VportOptions, type VportType } from "./vport.ts";

/** Options of {@link OvsClient.open}. */
export interface OvsClientOptions {
  /** Network namespace: a name under /run/netns or an absolute path. */
  netns?: string;
  /**
   * The libc calls its sockets make (default: the runtime's); e.g. `FakeKernel` from
   * `@nlts/netlink/testing` to run against an in-memory kernel that serves the OVS families.
   */
  transport?: Libc;
}

/** Options of {@link OvsClient.newDatapath}. */
export interface NewDatapathOptions {
  /**
   * Port id that receives MISS upcalls of the local port (0, the default: no upcalls). Ports
   * added later name their own.
   */
  upcallPid?: number;
  /**
   * User features to negotiate, by name or as a bit mask. Default `["unaligned", "vportPids"]`
   * (per-port upcall dispatch). The kernel rejects features it does not know (EOPNOTSUPP).
   */
  userFeatures?: readonly (UserFeature | number)[] | number;
  /** Upcall port ids per CPU (needs `dispatchUpcallPerCpu`). */
  perCpuPids?: readonly number[];
  /** Mask cache size (entries per CPU; 0 disables the cache). */
  masksCacheSize?: number;
  /** Ifindex for the local port's device (kernels 6.2+). */
  ifindex?: number;
}

/** Options of {@link OvsClient.setDatapath}. */
export interface SetDatapathOptions {
  /**
   * New user features. The kernel replaces the features with what a SET carries (none if
   * absent), so when this is omitted the current features are read and sent again.
   */
  userFeatures?: readonly (UserFeature | number)[] | number;
  /** Upcall port ids per CPU (needs `dispatchUpcallPerCpu`). */
  perCpuPids?: readonly number[];
  /** Mask cache size. */
  masksCacheSize?: number;
}

/** Options of {@link OvsClient.newVport}. */
export interface NewVportOptions {
  /**
   * Port type. "netdev" attaches an existing device named like the port; "internal" makes one;
   * tunnel types (vxlan, geneve, gre, ip6gre, erspan, ip6erspan) make their device as
   * ovs-vswitchd does (see `tunnel`).
   */
  type: VportType | TunnelType;
  /**
   * How a tunnel port is made. "auto" (default): its device through rtnetlink, in flow-based
   * mode, attached as a netdev port, as ovs-vswitchd does; the kernel's tunnel vport type when
   * rtnetlink cannot make the kind (EOPNOTSUPP). "rtnetlink": only the former; "vport": only
   * the latter (gre, vxlan, geneve).
   */
  tunnel?: "auto" | "rtnetlink" | "vport";
  /** A gre tunnel's packets: Ethernet (`legacy_l2`, default: a gretap device) or IP (`legacy_l3`). */
  packetType?: "legacy_l2" | "legacy_l3";
  /** Port number (default: the lowest free number from 1). */
  portNo?: number;
  /** Tunnel options (vxlan, geneve: `dstPort`; vxlan: `extension: { gbp: true }`). */
  options?: VportOptions;
  /** Port ids that receive the port's MISS upcalls (default `[0]`: none). */
  upcallPids?: readonly number[];
  /** Ifindex for a new internal port's device (kernels 6.2+). */
  ifindex?: number;
}

/** Options of {@link OvsClient.setVport}. */
export interface SetVportOptions {
  /** New upcall port ids (`[0]`: no upcalls). */
  upcallPids?: readonly number[];
  /** New tunnel options. */
  options?: VportOptions;
}

/**
 * A notification of the datapath, vport or flow families.
 *
 * @example
 * ```ts
 * import type { OvsEvent } from "@nlts/netlink/ovs";
 * const line = (e: OvsEvent) =>
 *   e.family === "vport" ? `${e.event} port ${e.vport.name}` : `${e.family} ${e.event}`;
 * ```
 */
export type OvsEvent =
  | { family: "datapath"; event: string; datapath: Datapath }
  | { family: "vport"; event: string; vport: Vport }
  | { family: "flow"; event: string; flow: Flow };

/** The families {@link OvsClient.events} can follow. */
export type OvsEventFamily = "datapath" | "vport" | "flow";

function checkU32(v: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff_ffff) {
    throw new RangeError(`Cannot use ${what} ${v}: not an integer 0..4294967295`);
  }
}

function checkZone(z: number): void {
  if (!Number.isInteger(z) || z < 0 || z > 0xffff) {
    throw new RangeError(`Cannot use conntrack zone ${z}: not an integer 0..65535`);
  }
}

/**
 * A client of the Open vSwitch kernel datapath. Opening it resolves every OVS family; a
 * kernel without the openvswitch module raises NetlinkError ENOENT naming
 * `modprobe openvswitch`. A kernel without meters (or conntrack limits) still opens: those
 * calls then fail with a NetlinkError saying so.
 *
 * @example
 * ```ts
 * import { OvsClient } from "@nlts/netlink/ovs";
 * using ovs = OvsClient.open();
 * const dp = await ovs.newDatapath("dp0");
 * await ovs.newVport("dp0", "dp0-p1", { type: "internal" });
 * for (const p of await ovs.dumpVports("dp0")) console.log(p.portNo, p.name, p.type);
 * await ovs.delDatapath("dp0");
 * ```
 */
export class OvsClient {
  /** The generic netlink socket (with its family cache). */
  readonly genl: GenlSocket;
  /** The `ovs_datapath` family client. */
  readonly datapath: Family<typeof ovsDatapath>;
  /** The `ovs_vport` family client. */
  readonly vport: Family<typeof ovsVport>;
  /** The `ovs_packet` family client. */
  readonly packet: Family<typeof ovsPacket>;
  /** The `ovs_flow` family client (see {@link FlowTable} for the flow operations). */
  readonly flow: Family<typeof ovsFlow>;
  readonly #meter: Family<typeof ovsMeter> | NetlinkError;
  readonly #ctLimit: Family<typeof ovsCtLimit> | NetlinkError;
  readonly #netns: string | undefined;
  #rtnl: RouteClient | undefined;

  private constructor(genl: GenlSocket, netns: string | undefined) {
    this.genl = genl;
    this.#netns = netns;
    this.datapath = genl.family(ovsDatapath);
    this.vport = genl.family(ovsVport);
    this.flow = genl.family(ovsFlow);
    this.packet = genl.family(ovsPacket);
    this.#meter = optionalFamily(() => genl.family(ovsMeter), "meters (Linux 4.15+)");
    this.#ctLimit = optionalFamily(
      () => genl.family(ovsCtLimit),
      "conntrack limits (Linux 4.18+ with CONFIG_NETFILTER_CONNCOUNT)",
    );
  }

  /**
   * Opens a generic netlink socket (in `netns` if given) and resolves the OVS families.
   *
   * @example
   * ```ts
   * import { OvsClient } from "@nlts/netlink/ovs";
   * using ovs = OvsClient.open({ netns: "blue" });
   * console.log((await ovs.dumpDatapaths()).map((d) => d.name));
   * ```
   */
  static open(options: OvsClientOptions = {}): OvsClient {
    checkOptions(options, "open OVS client");
    const genl = GenlSocket.open({ netns: options.netns, transport: options.transport });
    try {
      return new OvsClient(genl, options.netns);
    } catch (e) {
      genl.close();
      throw e;
    }
  }

  /** The `ovs_meter` family client; throws the NetlinkError of a kernel without meters. */
  get meter(): Family<typeof ovsMeter> {
    if (this.#meter instanceof NetlinkError) throw this.#meter;
    return this.#meter;
  }

  /** The `ovs_ct_limit` family client; throws the NetlinkError of a kernel without it. */
  get ctLimit(): Family<typeof ovsCtLimit> {
    if (this.#ctLimit instanceof NetlinkError) throw this.#ctLimit;
    return this.#ctLimit;
  }

  /** True when the kernel has the `ovs_meter` family. */
  get hasMeters(): boolean {
    return !(this.#meter instanceof NetlinkError);
  }

  /** True when the kernel has the `ovs_ct_limit` family. */
  get hasCtLimits(): boolean {
    return !(this.#ctLimit instanceof NetlinkError);
  }

  // -------------------------------------------------------------------------------------------
  // Datapaths

  /** Header and name attribute addressing datapath `dp`. */
  #dpAddr(dp: DatapathRef): { dpIfindex: number; name?: string } {
    if (typeof dp === "number") {
      if (!Number.isInteger(dp) || dp <= 0) {
        throw new RangeError(`Cannot address datapath ${dp}: an ifindex is a positive integer`);
      }
      return { dpIfindex: dp };
    }
    if (typeof dp !== "string" || dp === "") {
      throw new TypeError(`Cannot address datapath ${String(dp)}: expected a name or an ifindex`);
    }
    return { dpIfindex: 0, name: datapathName(dp) };
  }

  /** The ifindex of datapath `dp` (a GET when `dp` is a name). */
  async #ifindex(dp: DatapathRef): Promise<number> {
    if (typeof dp === "number") return this.#dpAddr(dp).dpIfindex;
    return (await this.getDatapath(dp)).ifindex;
  }

  /**
   * Creates datapath `name` (and its internal local port of the same name).
   *
   * @example
   * ```ts
   * import { OvsClient } from "@nlts/netlink/ovs";
   * using ovs = OvsClient.open();
   * const dp = await ovs.newDatapath("dp0", { userFeatures: ["unaligned", "vportPids"] });
   * console.log(dp.ifindex, dp.userFeatures);
   * ```
   */
  async newDatapath(name: string, options: NewDatapathOptions = {}): Promise<Datapath> {
    checkString(name, "create datapath", "the name", true);
    if (name === undefined) throw new TypeError("Cannot create datapath: give its name");
    checkOptions(options, "create datapath");
    const upcallPid = options.upcallPid ?? 0;
    checkU32(upcallPid, "upcall pid");
    const dpName = datapathName(name);
    await this.datapath.request("new", {
      name: dpName,
      upcallPid,
      userFeatures: options.userFeatures ?? ["unaligned", "vportPids"],
      ...(options.masksCacheSize !== undefined ? { masksCacheSize: options.masksCacheSize } : {}),
      ...(options.perCpuPids ? { perCpuPids: options.perCpuPids } : {}),
      ...(options.ifindex !== undefined ? { ifindex: options.ifindex } : {}),
    }, { header: { dpIfindex: 0 }, flags: NLM_F_NEW.CREATE | NLM_F_NEW.EXCL });
    // The kernel answers NEW/SET/DEL only through the multicast group (or NLM_F_ECHO), so the
    // new state is read back with a GET.
    return await this.getDatapath(dpName);
  }

  /**
   * Deletes datapath `dp` with all its ports and flows (and the flow-based tunnel devices of
   * its tunnel ports, unless `keepDevices`); returns its last state.
   *
   * @example
   * ```ts
   * import { OvsClient } from "@nlts/netlink/ovs";
   * using ovs = OvsClient.open();
   * const last = await ovs.delDatapath("dp0");
   * console.log(last.stats?.hit);
   * ```
   */
  async delDatapath(dp: DatapathRef, options: { keepDevices?: boolean } = {}): Promise<Datapath> {
    const { dpIfindex, name } = this.#dpAddr(dp);
    const last = await this.getDatapath(dp);
    const netdevs = options.keepDevices
      ? []
      : (await this.dumpVports(last.ifindex)).filter((p) => p.type === "netdev");
    await this.datapath.request("del", name ? { name } : {}, { header: { dpIfindex } });
    for (const p of netdevs) await this.#delTunnelDevice(p.name);
    return last;
  }

  /**
   * Reads datapath `dp` (by name or ifindex). Unknown datapaths raise NetlinkError ENODEV.
   *
   * @example
   * ```ts
   * import { OvsClient } from "@nlts/netlink/ovs";
   * using ovs = OvsClient.open();
   * const dp = await ovs.getDatapath("ovs-system");
   * console.log(dp.stats, dp.megaflowStats, dp.masksCacheSize);
   * ```
   */
  async getDatapath(dp: DatapathRef): Promise<Datapath> {
    const { dpIfindex, name } = this.#dpAddr(dp);
    const [m] = await this.datapath.request("get", name ? { name } : {}, {
      header: { dpIfindex },
    });
    if (!m) throw new Error(`Cannot get datapath ${dp}: the kernel sent no reply`);
    return toDatapath(m.header.dpIfindex, m.attrs);
  }

  /**
   * Every datapath of the network namespace.
   *
   * @example
   * ```ts
   * import { OvsClient } from "@nlts/netlink/ovs";
   * using ovs = OvsClient.open();
   * for (const dp of await ovs.dumpDatapaths()) console.log(dp.name, dp.ifindex);
   * ```
   */
  async dumpDatapaths(): Promise<Datapath[]> {
    const out: Datapath[] = [];
    for await (const m of this.datapath.dumpMessages("get", {}, { header: { dpIfindex: 0 } })) {
      out.push(toDatapath(m.header.dpIfindex, m.attrs));
    }
    return out;
  }

  /**
   * Changes user features, per-CPU upcall pids or the mask cache size of datapath `dp`.
   *
   * @example
   * ```ts
   * import { OvsClient } from "@nlts/netlink/ovs";
   * using ovs = OvsClient.open();
   * await ovs.setDatapath("dp0", { masksCacheSize: 512 });
   * ```
   */
  async setDatapath(dp: DatapathRef, options: SetDatapathOptions): Promise<Datapath> {
    checkOptions(options, "set datapath");
    const { dpIfindex, name } = this.#dpAddr(dp);
    const userFeatures = options.userFeatures ?? (await this.getDatapath(dp)).userFeatures;
    await this.datapath.request("set", {
      ...(name ? { name } : {}),
      userFeatures,
      ...(options.masksCacheSize !== undefined ? { masksCacheSize: options.masksCacheSize } : {}),
      ...(options.perCpuPids ? { perCpuPids: options.perCpuPids } : {}),
    }, { header: { dpIfindex } });
    return await this.getDatapath(dp);
  }

  // -------------------------------------------------------------------------------------------
  // Ports

  /** Header and attributes addressing port `port` of `dp`. */
  async #portAddr(
    dp: DatapathRef | undefined,
    port: string | number,
  ): Promise<{ dpIfindex: number; attrs: { name?: string; portNo?: number } }> {
    if (typeof port === "string") {
      if (port === "") throw new TypeError("Cannot address port: the name is empty");
      return { dpIfindex: dp === undefined ? 0 : await this.#ifindex(dp), attrs: { name: port } };
    }
    checkU32(port, "port number");
    if (dp === undefined) {
      throw new TypeError(`Cannot address port ${port}: a port number needs a datapath`);
    }
    return { dpIfindex: await this.#ifindex(dp), attrs: { portNo: port } };
  }

  /**
   * Adds port `name` of type `options.type` to datapath `dp`. An "internal" port creates its
   * device; a "netdev" port attaches the existing device `name`; a tunnel port (vxlan, geneve,
   * gre, ip6gre, erspan, ip6erspan) gets its device `name` made through rtnetlink as
   * ovs-vswitchd makes it (flow-based, up, MTU 65000, `dstPort` in the options; an existing
   * one is checked and replaced when it does not match) and attached as a netdev port, or with
   * `tunnel: "vport"` (and where rtnetlink cannot) the kernel's tunnel vport.
   *
   * @example
   * ```ts
   * import { OvsClient } from "@nlts/netlink/ovs";
   * using ovs = OvsClient.open();
   * await ovs.newVport("dp0", "veth0", { type: "netdev" });
   * await ovs.newVport("dp0", "vx0", { type: "vxlan", options: { dstPort: 4789 } });
   * ```
   */
  async newVport(dp: DatapathRef, name: string, options: NewVportOptions): Promise<Vport> {
    checkString(name, "add port", "the name", true);
    if (name === undefined) throw new TypeError("Cannot add port: give its name");
    if (typeof options !== "object" || options === null || Array.isArray(options)) {
      throw new TypeError(
        `Cannot add port: options must be an object with the port type, not ${
          describeValue(options)
        }`,
      );
    }
    const dpIfindex = await this.#ifindex(dp);
    if (options.portNo !== undefined) checkU32(options.portNo, "port number");
    const how = options.tunnel ?? "auto";
    if (isTunnelType(options.type) && how !== "vport") {
      const cfg: TunnelConfig = { type: options.type };
      if (options.packetType !== undefined) cfg.packetType = options.packetType;
      const o = options.options;
      if (o?.dstPort !== undefined) cfg.dstPort = vportOptionsAttrsOf(o).dstPort;
      if (o?.extension?.gbp) cfg.gbp = true;
      const rt = this.rtnetlink();
      let made = false;
      try {
        await createTunnelDevice(rt, name, cfg);
        made = true;
      } catch (e) {
        const compat = options.type === "vxlan" || options.type === "geneve" ||
          options.type === "gre";
        if (!(how === "auto" && compat && e instanceof NetlinkError && e.code === "EOPNOTSUPP")) {
          throw e;
        }
      }
      if (made) {
        try {
          await this.vport.request("new", {
            name,
            type: "netdev",
            ...(options.portNo !== undefined ? { portNo: options.portNo } : {}),
            upcallPid: options.upcallPids ?? [0],
          }, { header: { dpIfindex }, flags: NLM_F_NEW.CREATE | NLM_F_NEW.EXCL });
        } catch (e) {
          await rt.delLink(name).catch(() => {});
          throw e;
        }
        return await this.getVport(dpIfindex, name);
      }
    } else if (!isKernelVportType(options.type)) {
      throw new TypeError(
        `Cannot add port ${name}: type ${options.type} is made through rtnetlink only (tunnel: "vport" cannot)`,
      );
    }
    await this.vport.request("new", {
      name,
      type: options.type as VportType,
      ...(options.portNo !== undefined ? { portNo: options.portNo } : {}),
      upcallPid: options.upcallPids ?? [0],
      ...(options.options ? { options: vportOptionsAttrsOf(options.options) } : {}),
      ...(options.ifindex !== undefined ? { ifindex: options.ifindex } : {}),
    }, { header: { dpIfindex }, flags: NLM_F_NEW.CREATE | NLM_F_NEW.EXCL });
    return await this.getVport(dpIfindex, name);
  }

  /**
   * Removes a port (by name, or by number within `dp`); returns its last state. The device of
   * a tunnel port made through rtnetlink (a flow-based tunnel device) goes with it unless
   * `keepDevice`. The local port (0) cannot be removed (EINVAL): delete the datapath instead.
   *
   * @example
   * ```ts
   * import { OvsClient } from "@nlts/netlink/ovs";
   * using ovs = OvsClient.open();
   * await ovs.delVport("dp0", "veth0");
   * await ovs.delVport("dp0", 2);
   * ```
   */
  async delVport(
    dp: DatapathRef | undefined,
    port: string | number,
    options: { keepDevice?: boolean } = {},
  ): Promise<Vport> {
    const { dpIfindex, attrs } = await this.#portAddr(dp, port);
    const last = await this.#getVport(dpIfindex, attrs);
    await this.vport.request("del", attrs, { header: { dpIfindex } });
    // A tunnel port's device goes with it, as ovs-vswitchd removes what it made.
    if (last.type === "netdev" && !options.keepDevice) await this.#delTunnelDevice(last.name);
    return last;
  }

  /** Deletes device `name` if it is a flow-based tunnel device (what tunnel ports make). */
  async #delTunnelDevice(name: string): Promise<void> {
    const rt = this.rtnetlink();
    try {
      const dev = await rt.link(name);
      if (isTunnelDevice(dev)) await rt.delLink(dev.index);
    } catch (e) {
      if (!(e instanceof NetlinkError && e.code === "ENODEV")) throw e;
    }
  }

  /**
   * The rtnetlink client of this client's namespace (and transport), for the devices of
   * tunnel ports; opened on first use, closed with the client.
   *
   * @example
   * ```ts
   * import { OvsClient } from "@nlts/netlink/ovs";
   * using ovs = OvsClient.open();
   * console.log(ovs.rtnetlink().linksSync().length);
   * ```
   */
  rtnetlink(): RouteClient {
    return this.#rtnl ??= RouteClient.open({
      ...(this.#netns !== undefined ? { netns: this.#netns } : {}),
      transport: this.genl.socket.transport,
    });
  }

  /**
   * Reads a port by name (any datapath when `dp` is undefined) or by number within `dp`.
   * Unknown ports raise NetlinkError ENODEV.
   *
   * @example
   * ```ts
   * import { OvsClient } from "@nlts/netlink/ovs";
   * using ovs = OvsClient.open();
   * const p = await ovs.getVport("dp0", 1);
   * console.log(p.name, p.type, p.stats?.rxPackets);
   * ```
   */
  async getVport(dp: DatapathRef | undefined, port: string | number): Promise<Vport> {
    const { dpIfindex, attrs } = await this.#portAddr(dp, port);
    return await this.#getVport(dpIfindex, attrs);
  }

  async #getVport(dpIfindex: number, attrs: { name?: string; portNo?: number }): Promise<Vport> {
    const [m] = await this.vport.request("get", attrs, { header: { dpIfindex } });
    if (!m) {
      throw new Error(`Cannot get port ${attrs.name ?? attrs.portNo}: the kernel sent no reply`);
    }
    return toVport(m.header.dpIfindex, m.attrs);
  }

  /**
   * Every port of datapath `dp`, sorted by port number.
   *
   * @example
   * ```ts
   * import { OvsClient } from "@nlts/netlink/ovs";
   * using ovs = OvsClient.open();
   * for (const p of await ovs.dumpVports("dp0")) console.log(`port ${p.portNo}: ${p.name}`);
   * ```
   */
  async dumpVports(dp: DatapathRef): Promise<Vport[]> {
    const dpIfindex = await this.#ifindex(dp);
    const out: Vport[] = [];
    for await (const m of this.vport.dumpMessages("get", {}, { header: { dpIfindex } })) {
      out.push(toVport(m.header.dpIfindex, m.attrs));
    }
    return out.sort((a, b) => a.portNo - b.portNo);
  }

  /**
   * Changes a port's upcall pids or tunnel options.
   *
   * @example
   * ```ts
   * import { OvsClient } from "@nlts/netlink/ovs";
   * using ovs = OvsClient.open();
   * using sock = ovs.openUpcallSocket();
   * await ovs.setVport("dp0", "veth0", { upcallPids: [sock.portid] });
   * ```
   */
  async setVport(
    dp: DatapathRef | undefined,
    port: string | number,
    options: SetVportOptions,
  ): Promise<Vport> {
    const { dpIfindex, attrs } = await this.#portAddr(dp, port);
    await this.vport.request("set", {
      ...attrs,
      ...(options.upcallPids ? { upcallPid: options.upcallPids } : {}),
      ...(options.options ? { options: vportOptionsAttrsOf(options.options) } : {}),
    }, { header: { dpIfindex } });
    return await this.#getVport(dpIfindex, attrs);
  }

  /**
   * The flow table of datapath `dp` (new, set, get, del, dump, batches, notifications) on this
   * client's socket; an unknown datapath raises NetlinkError ENODEV.
   *
   * @example
   * ```ts
   * import { OvsClient, parseActions, parseFlowKey } from "@nlts/netlink/ovs";
   * using ovs = OvsClient.open();
   * const flows = await ovs.flows("dp0");
   * await flows.new({ ...parseFlowKey("in_port(1),eth(),eth_type(0x0806),arp()"), actions: parseActions("2") });
   * ```
   */
  async flows(dp: DatapathRef): Promise<FlowTable> {
    return await FlowTable.open(dp, this);
  }

  // -------------------------------------------------------------------------------------------
  // Packets

  /**
   * Applies actions to a packet in datapath `dp` (OVS_PACKET_CMD_EXECUTE).
   *
   * @example
   * ```ts
   * import { OvsClient, parseActions } from "@nlts/netlink/ovs";
   * using ovs = OvsClient.open();
   * const frame = new Uint8Array(60).fill(0xff, 0, 6); // broadcast
   * await ovs.execute("dp0", { packet: frame, key: { inPort: 2 }, actions: parseActions("1") });
   * ```
   */
  async execute(dp: DatapathRef, packet: PacketExecute): Promise<void> {
    if (!(packet?.packet instanceof Uint8Array) || packet.packet.length === 0) {
      throw new TypeError("Cannot execute: packet.packet must be a non-empty Uint8Array");
    }
    const key = packetBytes(packet.key, "key");
    const actions = packetBytes(packet.actions, "actions");
    const dpIfindex = await this.#ifindex(dp);
    await this.packet.request("execute", {
      packet: packet.packet,
      key,
      actions,
      ...(packet.probe ? { probe: true } : {}),
      ...(packet.mru !== undefined ? { mru: packet.mru } : {}),
      ...(packet.hash !== undefined ? { hash: packet.hash } : {}),
    }, { header: { dpIfindex } });
  }

  /**
   * Opens a socket for upcalls (in the client's network namespace). Register its
   * {@link UpcallSocket.portid} with {@link OvsClient.setVport} (per-port dispatch) or
   * {@link OvsClient.setDatapath} `perCpuPids` (per-CPU dispatch).
   *
   * @example
   * ```ts
   * import { OvsClient } from "@nlts/netlink/ovs";
   * using ovs = OvsClient.open();
   * using sock = ovs.openUpcallSocket();
   * console.log(sock.portid);
   * ```
   */
  openUpcallSocket(options: { rcvbuf?: number } = {}): UpcallSocket {
    checkOptions(options, "open upcall socket");
    return UpcallSocket.open(this.packet.id, {
      netns: this.#netns,
      rcvbuf: options.rcvbuf,
      transport: this.genl.socket.transport,
    });
  }

  // -------------------------------------------------------------------------------------------
  // Meters

  /**
   * What datapath `dp`'s meters support.
   *
   * @example
   * ```ts
   * import { OvsClient } from "@nlts/netlink/ovs";
   * using ovs = OvsClient.open();
   * const f = await ovs.meterFeatures("dp0");
   * console.log(f.maxMeters, f.maxBands, f.bandTypes); // e.g. 200000 1 ["drop"]
   * ```
   */
  async meterFeatures(dp: DatapathRef): Promise<MeterFeatures> {
    const meter = this.meter;
    const dpIfindex = await this.#ifindex(dp);
    const a = await meter.do("features", {}, { header: { dpIfindex } });
    return {
      maxMeters: a?.maxMeters ?? 0,
      maxBands: a?.maxBands ?? 0,
      bandTypes: (a?.bands ?? []).map((b) => b.type).filter((x) => x !== undefined) as (
        | MeterBandType
        | number
      )[],
    };
  }

  /**
   * Creates or replaces meter `config.id` in datapath `dp`; returns the statistics of the
   * meter it replaced, if any.
   *
   * @example
   * ```ts
   * import { OvsClient } from "@nlts/netlink/ovs";
   * using ovs = OvsClient.open();
   * await ovs.setMeter("dp0", { id: 1, unit: "kbps", bands: [{ type: "drop", rate: 1000, burst: 100 }] });
   * ```
   */
  async setMeter(dp: DatapathRef, config: MeterConfig): Promise<Meter | undefined> {
    const meter = this.meter;
    checkU32(config.id, "meter id");
    if (!Array.isArray(config.bands)) {
      throw new TypeError("Cannot set meter: bands must be an array");
    }
    const bands = config.bands.map((b, i) => {
      checkU32(b.rate, `band ${i} rate`);
      if (b.burst !== undefined) checkU32(b.burst, `band ${i} burst`);
      return { type: b.type ?? "drop", rate: b.rate, burst: b.burst ?? b.rate };
    });
    const dpIfindex = await this.#ifindex(dp);
    const a = await meter.do("set", {
      id: config.id,
      ...(config.unit === "kbps" ? { kbps: true } : {}),
      bands,
      ...(config.clear ? { clear: true } : {}),
    }, { header: { dpIfindex } });
    return a?.stats ? toMeter(a) : undefined;
  }

  /**
   * Reads meter `id` of datapath `dp` (NetlinkError ENOENT when there is none).
   *
   * @example
   * ```ts
   * import { OvsClient } from "@nlts/netlink/ovs";
   * using ovs = OvsClient.open();
   * const m = await ovs.getMeter("dp0", 1);
   * console.log(m.stats?.packets, m.bands[0].stats?.packets);
   * ```
   */
  async getMeter(dp: DatapathRef, id: number): Promise<Meter> {
    const meter = this.meter;
    checkU32(id, "meter id");
    const dpIfindex = await this.#ifindex(dp);
    const a = await meter.do("get", { id }, { header: { dpIfindex } });
    return toMeter(a ?? { id });
  }

  /**
   * Deletes meter `id` of datapath `dp`; returns its last statistics (undefined when there
   * was no such meter: the kernel does not treat that as an error).
   *
   * @example
   * ```ts
   * import { OvsClient } from "@nlts/netlink/ovs";
   * using ovs = OvsClient.open();
   * const last = await ovs.delMeter("dp0", 1);
   * ```
   */
  async delMeter(dp: DatapathRef, id: number): Promise<Meter | undefined> {
    const meter = this.meter;
    checkU32(id, "meter id");
    const dpIfindex = await this.#ifindex(dp);
    const a = await meter.do("del", { id }, { header: { dpIfindex } });
    return a?.stats ? toMeter(a) : undefined;
  }

  /**
   * The meters of datapath `dp` with ids `first..last` (default 0..1023). The kernel has no
   * meter dump, so this sends one GET per id, many per system call, and skips the ENOENTs.
   *
   * @example
   * ```ts
   * import { OvsClient } from "@nlts/netlink/ovs";
   * using ovs = OvsClient.open();
   * for (const m of await ovs.dumpMeters("dp0")) console.log(m.id, m.stats?.packets);
   * ```
   */
  async dumpMeters(
    dp: DatapathRef,
    options: { first?: number; last?: number } = {},
  ): Promise<Meter[]> {
    checkOptions(options, "dump meters");
    const meter = this.meter;
    const first = checkOptionalInt(options.first, "dump meters", "first", 0, 0xffffffff, 0);
    const last = checkOptionalInt(options.last, "dump meters", "last", 0, 0xffffffff, 1023);
    checkU32(first, "first meter id");
    checkU32(last, "last meter id");
    if (last < first) throw new RangeError(`Cannot dump meters ${first}..${last}: empty range`);
    if (last - first >= 1 << 20) {
      throw new RangeError(`Cannot dump meters ${first}..${last}: more than 2^20 ids`);
    }
    const dpIfindex = await this.#ifindex(dp);
    const out: Meter[] = [];
    const CHUNK = 4096;
    for (let start = first; start <= last; start += CHUNK) {
      const ids: { id: number }[] = [];
      for (let id = start; id <= Math.min(last, start + CHUNK - 1); id++) ids.push({ id });
      const results = meter.batchSync("get", ids, { header: { dpIfindex }, chunk: 32 });
      for (const r of results) {
        if (r instanceof NetlinkError) {
          if (r.code === "ENOENT") continue;
          throw r;
        }
        if (r) out.push(toMeter(r));
      }
    }
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // Conntrack limits

  /**
   * Sets the default conntrack limit and/or per-zone limits (for the network namespace).
   *
   * @example
   * ```ts
   * import { OvsClient } from "@nlts/netlink/ovs";
   * using ovs = OvsClient.open();
   * await ovs.setCtLimits({ defaultLimit: 1000, zones: [{ zone: 3, limit: 10 }] });
   * ```
   */
  async setCtLimits(
    limits: { defaultLimit?: number; zones?: readonly { zone: number; limit: number }[] },
  ): Promise<void> {
    const ct = this.ctLimit;
    const entries: { zoneId: number; limit: number; count: number }[] = [];
    if (limits.defaultLimit !== undefined) {
      checkU32(limits.defaultLimit, "default limit");
      entries.push({ zoneId: -1, limit: limits.defaultLimit, count: 0 });
    }
    for (const z of limits.zones ?? []) {
      checkZone(z.zone);
      checkU32(z.limit, `zone ${z.zone} limit`);
      entries.push({ zoneId: z.zone, limit: z.limit, count: 0 });
    }
    if (!entries.length) throw new TypeError("Cannot set conntrack limits: nothing to set");
    await ct.request("set", { zoneLimit: entries }, { header: { dpIfindex: 0 } });
  }

  /**
   * Reads the default limit and the limits of `zones` (every zone that has one when omitted),
   * with their current connection counts.
   *
   * @example
   * ```ts
   * import { OvsClient } from "@nlts/netlink/ovs";
   * using ovs = OvsClient.open();
   * const l = await ovs.getCtLimits([3]);
   * console.log(l.defaultLimit, l.zones); // 1000 [{ zone: 3, limit: 10, count: 0 }]
   * ```
   */
  async getCtLimits(zones?: readonly number[]): Promise<CtLimits> {
    if (zones !== undefined && !Array.isArray(zones as unknown)) {
      throw new TypeError(
        `Cannot get conntrack limits: zones must be an array of zone numbers, not ${
          describeValue(zones)
        }`,
      );
    }
    const ct = this.ctLimit;
    let attrs = {};
    if (zones !== undefined) {
      for (const z of zones) checkZone(z);
      attrs = {
        zoneLimit: [
          { zoneId: -1, limit: 0, count: 0 },
          ...zones.map((z) => ({ zoneId: z, limit: 0, count: 0 })),
        ],
      };
    }
    const a = await ct.do("get", attrs, { header: { dpIfindex: 0 } });
    return toCtLimits(a?.zoneLimit ?? []);
  }

  /**
   * Removes the limits of `zones` (they fall back to the default); `default: true` resets the
   * default limit to unlimited.
   *
   * @example
   * ```ts
   * import { OvsClient } from "@nlts/netlink/ovs";
   * using ovs = OvsClient.open();
   * await ovs.delCtLimits([3], { default: true });
   * ```
   */
  async delCtLimits(zones: readonly number[], options: { default?: boolean } = {}): Promise<void> {
    if (!Array.isArray(zones as unknown)) {
      throw new TypeError(
        `Cannot delete conntrack limits: zones must be an array of zone numbers, not ${
          describeValue(zones)
        }`,
      );
    }
    checkOptions(options, "delete conntrack limits");
    const ct = this.ctLimit;
    for (const z of zones) checkZone(z);
    const entries = zones.map((z) => ({ zoneId: z, limit: 0, count: 0 }));
    if (options.default) entries.unshift({ zoneId: -1, limit: 0, count: 0 });
    if (!entries.length) throw new TypeError("Cannot delete conntrack limits: no zone given");
    await ct.request("del", { zoneLimit: entries }, { header: { dpIfindex: 0 } });
  }

  // -------------------------------------------------------------------------------------------
  // Notifications

  /**
   * Follows the datapath, vport and flow notification groups (all three by default) on a
   * dedicated socket and yields decoded events until `signal` aborts. The groups are joined
   * when `events` is called, so changes made after the call are seen; iterate the generator
   * (or call its `return()`) so that its socket gets closed. Flow events carry the decoded
   * {@link Flow} (print it with `formatFlow`).
   *
   * @example
   * ```ts
   * import { OvsClient } from "@nlts/netlink/ovs";
   * using ovs = OvsClient.open();
   * const ac = new AbortController();
   * for await (const e of ovs.events({ signal: ac.signal, families: ["vport"] })) {
   *   if (e.family === "vport") console.log(e.event, e.vport.name);
   * }
   * ```
   */
  events(
    options: { signal?: AbortSignal; families?: readonly OvsEventFamily[] } = {},
  ): AsyncGenerator<OvsEvent, void, undefined> {
    checkOptions(options, "follow OVS events");
    if (options.families !== undefined && !Array.isArray(options.families as unknown)) {
      throw new TypeError(
        `Cannot follow OVS events: families must be an array, not ${
          describeValue(options.families)
        }`,
      );
    }
    const families = options.families ?? ["datapath", "vport", "flow"];
    const infos: Record<OvsEventFamily, FamilyInfo> = {
      datapath: this.datapath.info,
      vport: this.vport.info,
      flow: this.flow.info,
    };
    const byId = new Map<number, OvsEventFamily>();
    for (const f of families) {
      if (!infos[f]) throw new TypeError(`Cannot follow ${f} events: unknown family`);
    }
    const sock = NetlinkSocket.open(NETLINK.GENERIC, {
      name: "ovs-events",
      netns: this.#netns,
      transport: this.genl.socket.transport,
    });
    try {
      for (const f of families) {
        byId.set(infos[f].id, f);
        for (const id of infos[f].groups.values()) sock.joinGroup(id);
      }
    } catch (e) {
      sock.close();
      throw e;
    }
    return this.#eventLoop(sock, byId, options.signal);
  }

  async *#eventLoop(
    sock: NetlinkSocket,
    byId: Map<number, OvsEventFamily>,
    signal: AbortSignal | undefined,
  ): AsyncGenerator<OvsEvent, void, undefined> {
    using _sock = sock;
    for await (const m of sock.messages({ signal })) {
      const f = byId.get(m.type);
      if (!f) continue;
      if (f === "datapath") {
        const d = this.datapath.decode(m);
        yield { family: f, event: d.event, datapath: toDatapath(d.header.dpIfindex, d.attrs) };
      } else if (f === "vport") {
        const d = this.vport.decode(m);
        yield { family: f, event: d.event, vport: toVport(d.header.dpIfindex, d.attrs) };
      } else {
        const d = this.flow.decode(m);
        yield { family: f, event: d.event, flow: toFlow(d.header.dpIfindex, d.attrs) };
      }
    }
  }

  /**
   * Closes the socket.
   *
   * @example
   * ```ts
   * import { OvsClient } from "@nlts/netlink/ovs";
   * const ovs = OvsClient.open();
   * ovs.close();
   * ```
   */
  close(): void {
    this.#rtnl?.close();
    this.genl.close();
  }

  /** Same as {@link OvsClient.close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}

function isKernelVportType(t: string): t is VportType {
  return ["unspec", "netdev", "internal", "gre", "vxlan", "geneve"].includes(t);
}

/** Resolves an optional family; a missing one becomes the error its users will get. */
function optionalFamily<T>(open: () => T, what: string): T | NetlinkError {
  try {
    return open();
  } catch (e) {
    if (e instanceof NetlinkError && e.code === "ENOENT") {
      const name = /"([^"]+)"/.exec(e.message)?.[1] ?? "family";
      return new NetlinkError(e.errno, {
        operation: `use ${name}`,
        hint: `This kernel's openvswitch module has no ${what}`,
      });
    }
    throw e;
  }
}

function vportOptionsAttrsOf(o: VportOptions): { dstPort?: number; extension?: { gbp?: boolean } } {
  const out: { dstPort?: number; extension?: { gbp?: boolean } } = {};
  if (o.dstPort !== undefined) {
    if (!Number.isInteger(o.dstPort) || o.dstPort < 0 || o.dstPort > 0xffff) {
      throw new RangeError(`Cannot use dst_port ${o.dstPort}: not an integer 0..65535`);
    }
    out.dstPort = o.dstPort;
  }
  if (o.extension) out.extension = o.extension.gbp ? { gbp: true } : {};
  return out;
}
