/**
 * The generic netlink controller ("nlctrl", `<linux/genetlink.h>`): its attribute sets and
 * numbers come from YNL's `nlctrl.yaml`, generated into `@nlts/netlink/families/nlctrl` and
 * re-exported here under the names nlts has always used; the family description
 * {@link nlctrl} and what CTRL_CMD_GETFAMILY describes ({@link FamilyDescription}). What the
 * spec cannot say stays here: the controller's fixed id, GENL_NAMSIZ, the whole `CTRL_CMD_*`
 * enum (the spec has only the two requests), the notify group and the decoded names of op
 * flags and policy types as types. Pure: no I/O.
 *
 * @module
 */

import type { Decoded } from "../protocol/schema.ts";
import {
  nlctrl as ynlNlctrl,
  NLCTRL_ATTR_TYPE,
  NLCTRL_OP_FLAGS,
  type opAttrs,
  type policyAttrs,
} from "../families/nlctrl.ts";
import { defineFamily } from "./spec.ts";

export {
  CTRL_ATTR,
  CTRL_ATTR_MCAST_GRP,
  CTRL_ATTR_OP,
  CTRL_ATTR_POLICY,
  ctrlAttrs,
  mcastGroupAttrs,
  NL_POLICY_TYPE_ATTR,
  opAttrs,
  opPolicyAttrs,
  policyAttrs,
} from "../families/nlctrl.ts";

/**
 * The controller's fixed family id (`GENL_ID_CTRL`).
 *
 * @example
 * ```ts
 * import { GENL_ID_CTRL } from "@nlts/netlink/genl";
 * console.log(GENL_ID_CTRL); // 16
 * ```
 */
export const GENL_ID_CTRL = 0x10 as const;

/**
 * Longest family name including its NUL (`GENL_NAMSIZ`).
 *
 * @example
 * ```ts
 * import { GENL_NAMSIZ } from "@nlts/netlink/genl";
 * console.log(GENL_NAMSIZ); // 16
 * ```
 */
export const GENL_NAMSIZ = 16 as const;

/**
 * Controller commands (`CTRL_CMD_*`).
 *
 * @example
 * ```ts
 * import { CTRL_CMD } from "@nlts/netlink/genl";
 * console.log(CTRL_CMD.GETFAMILY); // 3
 * ```
 */
export const CTRL_CMD: {
  readonly UNSPEC: 0;
  readonly NEWFAMILY: 1;
  readonly DELFAMILY: 2;
  readonly GETFAMILY: 3;
  readonly NEWOPS: 4;
  readonly DELOPS: 5;
  readonly GETOPS: 6;
  readonly NEWMCAST_GRP: 7;
  readonly DELMCAST_GRP: 8;
  readonly GETMCAST_GRP: 9;
  readonly GETPOLICY: 10;
} = {
  UNSPEC: 0,
  NEWFAMILY: 1,
  DELFAMILY: 2,
  GETFAMILY: 3,
  NEWOPS: 4,
  DELOPS: 5,
  GETOPS: 6,
  NEWMCAST_GRP: 7,
  DELMCAST_GRP: 8,
  GETMCAST_GRP: 9,
  GETPOLICY: 10,
} as const;

/**
 * Operation flags in CTRL_ATTR_OP_FLAGS (`GENL_ADMIN_PERM`, `GENL_CMD_CAP_*`,
 * `GENL_UNS_ADMIN_PERM`): the spec's `op-flags` (`NLCTRL_OP_FLAGS` of
 * `@nlts/netlink/families/nlctrl`).
 *
 * @example
 * ```ts
 * import { GENL_OP_FLAG } from "@nlts/netlink/genl";
 * console.log(GENL_OP_FLAG.CMD_CAP_DUMP); // 4
 * ```
 */
export const GENL_OP_FLAG: typeof NLCTRL_OP_FLAGS = NLCTRL_OP_FLAGS;

/**
 * Attribute types reported by policy dumps (`enum netlink_attribute_type`, `NL_ATTR_TYPE_*`
 * in `<linux/netlink.h>`): the spec's `attr-type` (`NLCTRL_ATTR_TYPE` of
 * `@nlts/netlink/families/nlctrl`). SINT and UINT came with Linux 6.8.
 *
 * @example
 * ```ts
 * import { NL_ATTR_TYPE } from "@nlts/netlink/genl";
 * console.log(NL_ATTR_TYPE.NUL_STRING); // 12
 * ```
 */
export const NL_ATTR_TYPE: typeof NLCTRL_ATTR_TYPE = NLCTRL_ATTR_TYPE;

/**
 * Names of the operation flags as decoded from CTRL_ATTR_OP_FLAGS.
 *
 * @example
 * ```ts
 * import type { GenlOpFlagName } from "@nlts/netlink/genl";
 * const flag: GenlOpFlagName = "cmdCapDump";
 * ```
 */
export type GenlOpFlagName = Exclude<
  NonNullable<Decoded<typeof opAttrs>["flags"]>[number],
  number
>;

/**
 * Names of the attribute types as decoded from NL_POLICY_TYPE_ATTR_TYPE.
 *
 * @example
 * ```ts
 * import type { NlAttrTypeName } from "@nlts/netlink/genl";
 * const type: NlAttrTypeName = "nulString";
 * ```
 */
export type NlAttrTypeName = Exclude<NonNullable<Decoded<typeof policyAttrs>["type"]>, number>;

/**
 * The nlctrl family description, for {@link GenlSocket.family}: the family generated from
 * `nlctrl.yaml` (operations getfamily and getpolicy with their request lists), plus what the
 * spec cannot say: the fixed id (GENL_ID_CTRL) and the "notify" group with its notifications
 * (`CTRL_CMD_NEWFAMILY`...).
 *
 * @example
 * ```ts
 * import { GenlSocket, nlctrl } from "@nlts/netlink/genl";
 * using genl = GenlSocket.open();
 * const f = genl.family(nlctrl).doSync("getfamily", { familyName: "nlctrl" });
 * console.log(f?.familyId); // 16
 * ```
 */
export const nlctrl:
  & Omit<typeof ynlNlctrl, "events" | "mcastGroups">
  & {
    readonly fixedId: typeof GENL_ID_CTRL;
    readonly events: {
      readonly newfamily: { readonly cmd: typeof CTRL_CMD.NEWFAMILY };
      readonly delfamily: { readonly cmd: typeof CTRL_CMD.DELFAMILY };
      readonly newops: { readonly cmd: typeof CTRL_CMD.NEWOPS };
      readonly delops: { readonly cmd: typeof CTRL_CMD.DELOPS };
      readonly "newmcast-grp": { readonly cmd: typeof CTRL_CMD.NEWMCAST_GRP };
      readonly "delmcast-grp": { readonly cmd: typeof CTRL_CMD.DELMCAST_GRP };
    };
    readonly mcastGroups: readonly ["notify"];
  } = defineFamily(
    {
      ...ynlNlctrl,
      fixedId: GENL_ID_CTRL,
      events: {
        newfamily: { cmd: CTRL_CMD.NEWFAMILY },
        delfamily: { cmd: CTRL_CMD.DELFAMILY },
        newops: { cmd: CTRL_CMD.NEWOPS },
        delops: { cmd: CTRL_CMD.DELOPS },
        "newmcast-grp": { cmd: CTRL_CMD.NEWMCAST_GRP },
        "delmcast-grp": { cmd: CTRL_CMD.DELMCAST_GRP },
      },
      mcastGroups: ["notify"],
    } as const,
  );

/** One operation of a family as the controller describes it. */
export interface FamilyOp {
  /** Command number. */
  id: number;
  /**
   * Flag names (adminPerm, cmdCapDo, cmdCapDump, cmdCapHaspol, unsAdminPerm); numbers for unknown
   * bits. Frozen, and shared by the ops with the same flags.
   */
  flags: readonly (GenlOpFlagName | number)[];
}

/** A family as the controller describes it. */
export interface FamilyDescription {
  /** Family id. */
  id: number;
  /** Registered name. */
  name: string;
  /** Interface version. */
  version: number;
  /** Fixed header size. */
  hdrsize: number;
  /** Highest attribute number. */
  maxattr: number;
  /** Operations. */
  ops: FamilyOp[];
  /** Multicast groups. */
  groups: { id: number; name: string }[];
}
