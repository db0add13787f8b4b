/**
 * {@link AttrTrace}: where each attribute of an encoded request landed, so the byte offset of an
 * extended ack (`NLMSGERR_ATTR_OFFS`, `NLMSGERR_ATTR_MISS_NEST`) maps back to an attribute path.
 *
 * @module
 */

import type { ExtAck } from "./errors.ts";

/**
 * What a trace needs from an attribute set: its name and the name of an attribute type.
 *
 * @example
 * ```ts
 * import { type AttrNames, attrSet, t } from "@nlts/netlink/protocol";
 * const names: AttrNames = attrSet("link", { ifname: [3, t.string()] });
 * console.log(names.nameOf(3)); // "ifname"
 * ```
 */
export interface AttrNames {
  /** The attribute set's name. */
  readonly name: string;
  /** YNL name of attribute `type`, or undefined. */
  nameOf(type: number): string | undefined;
}

/**
 * Options of {@link AttrTrace}.
 *
 * @example
 * ```ts
 * import { AttrTrace, type AttrTraceOptions } from "@nlts/netlink/protocol";
 * const options: AttrTraceOptions = { origin: 0 };
 * const trace = new AttrTrace(options);
 * ```
 */
export interface AttrTraceOptions {
  /**
   * Writer offset of the request's `struct nlmsghdr` (what `beginMessage` returned): extended-ack
   * offsets count from there. Default 0.
   */
  origin?: number;
}

/**
 * Records `[start, end, path]` for every attribute written by {@link AttrSet.encode} when passed
 * as its `trace` option (nothing is recorded otherwise). `start`/`end` are writer offsets of the
 * attribute header and of the payload's end; `path` is YNL style (`.ops[1].flags`, no root).
 *
 * @example
 * ```ts
 * import { AttrTrace, attrSet, NetlinkWriter, t } from "@nlts/netlink/protocol";
 * const hdr = attrSet("header", { devIndex: [1, t.u32()], devName: [2, t.string()] });
 * const req = attrSet("linkinfo", { header: [1, t.nest(hdr)] });
 * const w = new NetlinkWriter();
 * const msg = w.beginMessage(0x20, 1);
 * w.putU32(0); // genlmsghdr
 * const trace = new AttrTrace({ origin: msg });
 * req.encode(w, { header: { devName: "eth0" } }, { trace });
 * w.endMessage(msg);
 * console.log(trace.pathAt(24)); // ".header.dev-name" (the kernel's NLMSGERR_ATTR_OFFS)
 * console.log(trace.missingName(1, 20)); // ".header.dev-index" (MISS_TYPE 1 in MISS_NEST 20)
 * ```
 */
export class AttrTrace {
  /** `[start, end, path]` of every attribute, in writing order (parents before children). */
  readonly entries: [start: number, end: number, path: string][] = [];
  /** Writer offset that extended-ack offsets count from. */
  readonly origin: number;
  readonly #sets: (AttrNames | null)[] = [];
  #root: AttrNames | null = null;

  /** Creates an empty trace. */
  constructor(options?: AttrTraceOptions) {
    this.origin = options?.origin ?? 0;
  }

  /** The attribute set of the top level (set by the first encode that uses this trace). */
  get root(): AttrNames | null {
    return this.#root;
  }

  /** Sets the top-level attribute set unless one is set already. Used by encoders. */
  useRoot(set: AttrNames): void {
    if (this.#root === null) this.#root = set;
  }

  /**
   * Opens an entry for an attribute whose header starts at writer offset `start`; `set` is the
   * attribute set of its children when it is a nest. Returns the index for {@link AttrTrace.close}.
   * Used by encoders.
   */
  open(start: number, path: string, set: AttrNames | null): number {
    this.#sets.push(set);
    return this.entries.push([start, start, path]) - 1;
  }

  /** Closes entry `index` at writer offset `end` (the payload's end). Used by encoders. */
  close(index: number, end: number): void {
    this.entries[index][1] = end;
  }

  /** Forgets entries from `length` on (after a failed encode). Used by encoders. */
  truncate(length: number): void {
    this.entries.length = length;
    this.#sets.length = length;
  }

  /**
   * The path of the attribute at `offset` (counted from {@link AttrTrace.origin}, as in
   * `NLMSGERR_ATTR_OFFS`): the attribute whose header starts there, else the innermost one that
   * contains it; undefined when no attribute does.
   */
  pathAt(offset: number): string | undefined {
    const abs = this.origin + offset;
    const e = this.entries;
    let inner = -1;
    for (let i = 0; i < e.length; i++) {
      const [start, end] = e[i];
      if (start === abs) return e[i][2];
      if (start <= abs && abs < end) inner = i;
    }
    return inner >= 0 ? e[inner][2] : undefined;
  }

  /**
   * The path of a missing attribute reported by the kernel (`NLMSGERR_ATTR_MISS_TYPE`): `type`
   * inside the nest whose header is at `nestOffset` (`NLMSGERR_ATTR_MISS_NEST`, counted from
   * {@link AttrTrace.origin}), or at the top level when `nestOffset` is omitted. Undefined when
   * the schema has no name for it.
   */
  missingName(type: number, nestOffset?: number): string | undefined {
    let set = this.#root;
    let prefix = "";
    if (nestOffset !== undefined) {
      const abs = this.origin + nestOffset;
      const i = this.entries.findIndex((e) => e[0] === abs);
      if (i < 0) return undefined;
      set = this.#sets[i];
      prefix = this.entries[i][2];
    }
    const name = set?.nameOf(type);
    return name === undefined ? undefined : `${prefix}.${name}`;
  }

  /**
   * Names what the kernel's extended ack points at in the traced request: sets
   * `ack.attributePath` from its offset ({@link AttrTrace.pathAt}) and `ack.missingName` from its
   * missing type and nest ({@link AttrTrace.missingName}), where the schema knows them.
   *
   * @example
   * ```ts
   * import { AttrTrace, attrSet, type ExtAck, NetlinkWriter, t } from "@nlts/netlink/protocol";
   * const link = attrSet("link", { ifname: [3, t.string()] });
   * const trace = new AttrTrace();
   * link.encode(new NetlinkWriter(), { ifname: "eth0" }, { trace });
   * const ack: ExtAck = { offset: 0, missingType: 3 };
   * trace.describe(ack);
   * console.log(ack.attributePath, ack.missingName); // ".ifname" ".ifname"
   * ```
   */
  describe(ack: ExtAck): void {
    if (ack.offset !== undefined) {
      const p = this.pathAt(ack.offset);
      if (p !== undefined) ack.attributePath = p;
    }
    if (ack.missingType !== undefined) {
      const n = this.missingName(ack.missingType, ack.missingNest);
      if (n !== undefined) ack.missingName = n;
    }
  }
}
