/**
 * The generic netlink controller (nlctrl), fully typed: families by name or id, the list of all
 * families, and their attribute policies (CTRL_CMD_GETPOLICY) decoded into readable form.
 *
 * @module
 */

import type { DecodedAttrs } from "../protocol/schema.ts";
import { registerFamilySpec } from "./registry.ts";
import { describeFamily, missingFamily } from "./_internal.ts";
import {
  checkBoolean,
  checkNameOrId,
  checkOptionalInt,
  checkOptions,
  checkString,
  describeValue,
} from "../protocol/_validate.ts";
import {
  type Family,
  type FamilyInfo,
  GenlSocket,
  type GenlSocketOptions,
  registerTrace,
} from "./family.ts";
import {
  type ctrlAttrs,
  type FamilyDescription,
  GENL_ID_CTRL,
  type NlAttrTypeName,
  nlctrl,
  type policyAttrs,
} from "./nlctrl_schema.ts";

export type { FamilyDescription, FamilyOp } from "./nlctrl_schema.ts";

/** The validation policy of one attribute (NL_POLICY_TYPE_ATTR_*). */
export interface AttrPolicy {
  /** Attribute type number. */
  attr: number;
  /** Policy type: "u32", "string", "nested", ... (a number when this kernel is newer). */
  type: NlAttrTypeName | number;
  /** Minimum/maximum values for signed integers. */
  minValueS?: bigint;
  /** Maximum value for signed integers. */
  maxValueS?: bigint;
  /** Minimum value for unsigned integers. */
  minValueU?: bigint;
  /** Maximum value for unsigned integers. */
  maxValueU?: bigint;
  /** Minimum length for binary/strings. */
  minLength?: number;
  /** Maximum length for binary/strings. */
  maxLength?: number;
  /** Policy index of a nested attribute's attributes. */
  policyIdx?: number;
  /** Highest attribute of that nested policy. */
  policyMaxtype?: number;
  /** Valid bits of a bitfield32. */
  bitfield32Mask?: number;
  /** Valid bits of an integer flags attribute. */
  mask?: bigint;
}

/** A family's policies: policy index -> attributes, plus which policy each op uses. */
export interface FamilyPolicy {
  /** The family. */
  family: string;
  /** Policies by index; each lists the attributes it validates, by type number. */
  policies: Map<number, AttrPolicy[]>;
  /** Per command: the policy index of `do` and `dump` requests. */
  ops: Map<number, { do?: number; dump?: number }>;
}

/**
 * Typed access to the generic netlink controller.
 *
 * @example
 * ```ts
 * import { Controller } from "@nlts/netlink/genl";
 * using ctrl = Controller.open();
 * for (const f of await ctrl.listFamilies()) console.log(f.id, f.name, f.ops.length);
 * const policy = await ctrl.getPolicy("ethtool");
 * console.log(policy.policies.size);
 * ```
 */
export class Controller {
  /** The socket used (shared with other families when given to the constructor). */
  readonly genl: GenlSocket;
  readonly #ownsSocket: boolean;
  readonly #ctrl: Family<typeof nlctrl>;

  /** Wraps an existing {@link GenlSocket}. */
  constructor(genl: GenlSocket, ownsSocket = false) {
    if (!(genl instanceof GenlSocket)) {
      throw new TypeError(
        `Cannot create controller: expected a GenlSocket, not ${describeValue(genl)}`,
      );
    }
    checkBoolean(ownsSocket, "create controller", "ownsSocket", false);
    this.genl = genl;
    this.#ownsSocket = ownsSocket;
    this.#ctrl = genl.family(nlctrl);
  }

  /**
   * Opens its own NETLINK_GENERIC socket.
   *
   * @example
   * ```ts
   * import { Controller } from "@nlts/netlink/genl";
   * using ctrl = Controller.open();
   * ```
   */
  static open(options?: GenlSocketOptions): Controller {
    const genl = GenlSocket.open(options);
    try {
      return new Controller(genl, true);
    } catch (e) {
      genl.close();
      throw e;
    }
  }

  /** The typed nlctrl family client. */
  get family(): Family<typeof nlctrl> {
    return this.#ctrl;
  }

  /**
   * One family by name or id.
   *
   * @example
   * ```ts
   * import { Controller } from "@nlts/netlink/genl";
   * using ctrl = Controller.open();
   * console.log((await ctrl.getFamily("nlctrl")).ops.map((o) => o.id));
   * ```
   */
  async getFamily(nameOrId: string | number): Promise<FamilyDescription> {
    checkNameOrId(nameOrId, "get family", "the family", 0xffff);
    const attrs = typeof nameOrId === "number" ? { familyId: nameOrId } : { familyName: nameOrId };
    const a = await this.#ctrl.do("getfamily", attrs, { ack: false }).catch((e) => {
      throw this.#missing(e, nameOrId);
    });
    if (!a) throw new Error(`Cannot get family ${nameOrId}: the controller sent no reply`);
    return describeFamily(a);
  }

  /** Synchronous {@link Controller.getFamily}. */
  getFamilySync(nameOrId: string | number): FamilyDescription {
    checkNameOrId(nameOrId, "get family", "the family", 0xffff);
    const attrs = typeof nameOrId === "number" ? { familyId: nameOrId } : { familyName: nameOrId };
    let a;
    try {
      a = this.#ctrl.doSync("getfamily", attrs, { ack: false });
    } catch (e) {
      throw this.#missing(e, nameOrId);
    }
    if (!a) throw new Error(`Cannot get family ${nameOrId}: the controller sent no reply`);
    return describeFamily(a);
  }

  #missing(e: unknown, nameOrId: string | number): unknown {
    // Said from the controller's answer: no second lookup.
    return missingFamily(e, nameOrId);
  }

  /**
   * Every family the kernel has (one CTRL_CMD_GETFAMILY dump), sorted by id.
   *
   * @example
   * ```ts
   * import { Controller } from "@nlts/netlink/genl";
   * using ctrl = Controller.open();
   * console.log((await ctrl.listFamilies()).map((f) => f.name));
   * ```
   */
  async listFamilies(): Promise<FamilyDescription[]> {
    const out: FamilyDescription[] = [];
    for await (const a of this.#ctrl.dump("getfamily")) out.push(describeFamily(a));
    return out.sort((x, y) => x.id - y.id);
  }

  /** Synchronous {@link Controller.listFamilies}. */
  listFamiliesSync(): FamilyDescription[] {
    return this.#ctrl.dumpSync("getfamily").map((m) => describeFamily(m.attrs)).sort((x, y) =>
      x.id - y.id
    );
  }

  /**
   * The attribute policies of a family (CTRL_CMD_GETPOLICY), optionally of one command only.
   *
   * @example
   * ```ts
   * import { Controller } from "@nlts/netlink/genl";
   * using ctrl = Controller.open();
   * const p = await ctrl.getPolicy("nlctrl", { op: 3 });
   * console.log(p.ops.get(3), p.policies.get(p.ops.get(3)!.do!));
   * ```
   */
  async getPolicy(family: string | number, options: { op?: number } = {}): Promise<FamilyPolicy> {
    checkNameOrId(family, "get policy", "the family", 0xffff);
    checkOptions(options, "get policy");
    checkOptionalInt(options.op, "get policy", "op", 0, 255, 0);
    const attrs = {
      ...(typeof family === "number" ? { familyId: family } : { familyName: family }),
      ...(options.op !== undefined ? { op: options.op } : {}),
    };
    const result: FamilyPolicy = { family: String(family), policies: new Map(), ops: new Map() };
    try {
      for await (const a of this.#ctrl.dump("getpolicy", attrs)) collectPolicy(result, a);
    } catch (e) {
      throw this.#missing(e, family);
    }
    if (typeof family === "number") {
      result.family = this.getFamilySync(family).name;
    }
    return result;
  }

  /**
   * Looks a family up through the socket's cache (see {@link GenlSocket.resolve}).
   *
   * @example
   * ```ts
   * import { Controller } from "@nlts/netlink/genl";
   * using ctrl = Controller.open();
   * console.log(ctrl.resolve("ethtool").groups);
   * ```
   */
  resolve(name: string): FamilyInfo {
    checkString(name, "resolve family", "the family name", true);
    return this.genl.resolve(name);
  }

  /** Closes the socket if the controller opened it. */
  close(): void {
    if (this.#ownsSocket) this.genl.close();
  }

  /** Same as {@link Controller.close}. */
  [Symbol.dispose](): void {
    this.close();
  }
}

function collectPolicy(out: FamilyPolicy, a: DecodedAttrs<typeof ctrlAttrs.codecs>): void {
  for (const { key: idx, value: attrsOfPolicy } of a.policy ?? []) {
    let list = out.policies.get(idx);
    if (!list) out.policies.set(idx, list = []);
    for (const { key: attr, value: p } of attrsOfPolicy) {
      list.push(toAttrPolicy(attr, p));
    }
    list.sort((x, y) => x.attr - y.attr);
  }
  for (const { key: cmd, value } of a.opPolicy ?? []) {
    const cur = out.ops.get(cmd) ?? {};
    if (value.do !== undefined) cur.do = value.do;
    if (value.dump !== undefined) cur.dump = value.dump;
    out.ops.set(cmd, cur);
  }
}

function toAttrPolicy(attr: number, p: DecodedAttrs<typeof policyAttrs.codecs>): AttrPolicy {
  const out: AttrPolicy = { attr, type: p.type ?? 0 };
  for (
    const k of [
      "minValueS",
      "maxValueS",
      "minValueU",
      "maxValueU",
      "minLength",
      "maxLength",
      "policyIdx",
      "policyMaxtype",
      "bitfield32Mask",
      "mask",
    ] as const
  ) {
    if (p[k] !== undefined) (out as unknown as Record<string, unknown>)[k] = p[k];
  }
  return out;
}

registerFamilySpec(nlctrl);
registerTrace(nlctrl, GENL_ID_CTRL);
