/**
 * Schemas of the generic netlink controller ("nlctrl", `<linux/genetlink.h>`): command and
 * attribute numbers in kernel spelling, and the attribute sets of YNL's `nlctrl.yaml`
 * (ctrl-attrs, op-attrs, mcast-group-attrs, policy-attrs, op-policy-attrs), the family
 * description {@link nlctrl} and what CTRL_CMD_GETFAMILY describes ({@link FamilyDescription}).
 * Pure: no I/O.
 *
 * The exported sets carry explicit type annotations (JSR "no slow types"); the compiler
 * checks them against the definitions, and the decoded types derive from them:
 * `Decoded<typeof ctrlAttrs>`.
 *
 * @module
 */

import {
  type ArrayOf,
  type AttrSet,
  attrSet,
  type Codec,
  type FixedCodec,
  type MapOf,
  type NestOf,
  type PadCodec,
  t,
} from "../protocol/schema.ts";
import { defineFamily } from "./spec.ts";

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
 * Controller attributes (`CTRL_ATTR_*`).
 *
 * @example
 * ```ts
 * import { CTRL_ATTR } from "@nlts/netlink/genl";
 * console.log(CTRL_ATTR.FAMILY_NAME); // 2
 * ```
 */
export const CTRL_ATTR: {
  readonly UNSPEC: 0;
  readonly FAMILY_ID: 1;
  readonly FAMILY_NAME: 2;
  readonly VERSION: 3;
  readonly HDRSIZE: 4;
  readonly MAXATTR: 5;
  readonly OPS: 6;
  readonly MCAST_GROUPS: 7;
  readonly POLICY: 8;
  readonly OP_POLICY: 9;
  readonly OP: 10;
} = {
  UNSPEC: 0,
  FAMILY_ID: 1,
  FAMILY_NAME: 2,
  VERSION: 3,
  HDRSIZE: 4,
  MAXATTR: 5,
  OPS: 6,
  MCAST_GROUPS: 7,
  POLICY: 8,
  OP_POLICY: 9,
  OP: 10,
} as const;

/**
 * Attributes of one operation in CTRL_ATTR_OPS (`CTRL_ATTR_OP_*`).
 *
 * @example
 * ```ts
 * import { CTRL_ATTR_OP } from "@nlts/netlink/genl";
 * console.log(CTRL_ATTR_OP.FLAGS); // 2
 * ```
 */
export const CTRL_ATTR_OP: { readonly UNSPEC: 0; readonly ID: 1; readonly FLAGS: 2 } = {
  UNSPEC: 0,
  ID: 1,
  FLAGS: 2,
} as const;

/**
 * Attributes of one multicast group in CTRL_ATTR_MCAST_GROUPS (`CTRL_ATTR_MCAST_GRP_*`).
 *
 * @example
 * ```ts
 * import { CTRL_ATTR_MCAST_GRP } from "@nlts/netlink/genl";
 * console.log(CTRL_ATTR_MCAST_GRP.ID); // 2
 * ```
 */
export const CTRL_ATTR_MCAST_GRP: { readonly UNSPEC: 0; readonly NAME: 1; readonly ID: 2 } = {
  UNSPEC: 0,
  NAME: 1,
  ID: 2,
} as const;

/**
 * Attributes of one operation's policies in CTRL_ATTR_OP_POLICY (`CTRL_ATTR_POLICY_*`).
 *
 * @example
 * ```ts
 * import { CTRL_ATTR_POLICY } from "@nlts/netlink/genl";
 * console.log(CTRL_ATTR_POLICY.DUMP); // 2
 * ```
 */
export const CTRL_ATTR_POLICY: { readonly UNSPEC: 0; readonly DO: 1; readonly DUMP: 2 } = {
  UNSPEC: 0,
  DO: 1,
  DUMP: 2,
} as const;

/**
 * Operation flags in CTRL_ATTR_OP_FLAGS (`GENL_ADMIN_PERM`, `GENL_CMD_CAP_*`,
 * `GENL_UNS_ADMIN_PERM`).
 *
 * @example
 * ```ts
 * import { GENL_OP_FLAG } from "@nlts/netlink/genl";
 * console.log(GENL_OP_FLAG.CMD_CAP_DUMP); // 4
 * ```
 */
export const GENL_OP_FLAG: {
  readonly ADMIN_PERM: 0x01;
  readonly CMD_CAP_DO: 0x02;
  readonly CMD_CAP_DUMP: 0x04;
  readonly CMD_CAP_HASPOL: 0x08;
  readonly UNS_ADMIN_PERM: 0x10;
} = {
  ADMIN_PERM: 0x01,
  CMD_CAP_DO: 0x02,
  CMD_CAP_DUMP: 0x04,
  CMD_CAP_HASPOL: 0x08,
  UNS_ADMIN_PERM: 0x10,
} as const;

/**
 * Attribute types reported by policy dumps (`enum netlink_attribute_type`, `NL_ATTR_TYPE_*`
 * in `<linux/netlink.h>`). SINT and UINT came with Linux 6.8 and are missing from older
 * headers (Debian 12's stop at BITFIELD32), but newer kernels report them.
 *
 * @example
 * ```ts
 * import { NL_ATTR_TYPE } from "@nlts/netlink/genl";
 * console.log(NL_ATTR_TYPE.NUL_STRING); // 12
 * ```
 */
export const NL_ATTR_TYPE: {
  readonly INVALID: 0;
  readonly FLAG: 1;
  readonly U8: 2;
  readonly U16: 3;
  readonly U32: 4;
  readonly U64: 5;
  readonly S8: 6;
  readonly S16: 7;
  readonly S32: 8;
  readonly S64: 9;
  readonly BINARY: 10;
  readonly STRING: 11;
  readonly NUL_STRING: 12;
  readonly NESTED: 13;
  readonly NESTED_ARRAY: 14;
  readonly BITFIELD32: 15;
  readonly SINT: 16;
  readonly UINT: 17;
} = {
  INVALID: 0,
  FLAG: 1,
  U8: 2,
  U16: 3,
  U32: 4,
  U64: 5,
  S8: 6,
  S16: 7,
  S32: 8,
  S64: 9,
  BINARY: 10,
  STRING: 11,
  NUL_STRING: 12,
  NESTED: 13,
  NESTED_ARRAY: 14,
  BITFIELD32: 15,
  SINT: 16,
  UINT: 17,
} as const;

/**
 * Attributes of one attribute's policy in a policy dump (`NL_POLICY_TYPE_ATTR_*`).
 *
 * @example
 * ```ts
 * import { NL_POLICY_TYPE_ATTR } from "@nlts/netlink/genl";
 * console.log(NL_POLICY_TYPE_ATTR.MAX_LENGTH); // 7
 * ```
 */
export const NL_POLICY_TYPE_ATTR: {
  readonly UNSPEC: 0;
  readonly TYPE: 1;
  readonly MIN_VALUE_S: 2;
  readonly MAX_VALUE_S: 3;
  readonly MIN_VALUE_U: 4;
  readonly MAX_VALUE_U: 5;
  readonly MIN_LENGTH: 6;
  readonly MAX_LENGTH: 7;
  readonly POLICY_IDX: 8;
  readonly POLICY_MAXTYPE: 9;
  readonly BITFIELD32_MASK: 10;
  readonly PAD: 11;
  readonly MASK: 12;
} = {
  UNSPEC: 0,
  TYPE: 1,
  MIN_VALUE_S: 2,
  MAX_VALUE_S: 3,
  MIN_VALUE_U: 4,
  MAX_VALUE_U: 5,
  MIN_LENGTH: 6,
  MAX_LENGTH: 7,
  POLICY_IDX: 8,
  POLICY_MAXTYPE: 9,
  BITFIELD32_MASK: 10,
  PAD: 11,
  MASK: 12,
} as const;

/**
 * Names of the operation flags as decoded from CTRL_ATTR_OP_FLAGS.
 *
 * @example
 * ```ts
 * import type { GenlOpFlagName } from "@nlts/netlink/genl";
 * const flag: GenlOpFlagName = "cmdCapDump";
 * ```
 */
export type GenlOpFlagName =
  | "adminPerm"
  | "cmdCapDo"
  | "cmdCapDump"
  | "cmdCapHaspol"
  | "unsAdminPerm";

/**
 * Names of the attribute types as decoded from NL_POLICY_TYPE_ATTR_TYPE.
 *
 * @example
 * ```ts
 * import type { NlAttrTypeName } from "@nlts/netlink/genl";
 * const type: NlAttrTypeName = "nulString";
 * ```
 */
export type NlAttrTypeName =
  | "invalid"
  | "flag"
  | "u8"
  | "u16"
  | "u32"
  | "u64"
  | "s8"
  | "s16"
  | "s32"
  | "s64"
  | "binary"
  | "string"
  | "nulString"
  | "nested"
  | "nestedArray"
  | "bitfield32"
  | "sint"
  | "uint";

/**
 * One multicast group (`mcast-group-attrs`): `{ name, id }`.
 *
 * @example
 * ```ts
 * import { mcastGroupAttrs } from "@nlts/netlink/genl";
 * console.log(mcastGroupAttrs.nameOf(2)); // "id"
 * ```
 */
export const mcastGroupAttrs: AttrSet<{
  name: Codec<string>;
  id: FixedCodec<number>;
}> = attrSet("mcast-group-attrs", {
  name: [CTRL_ATTR_MCAST_GRP.NAME, t.string()],
  id: [CTRL_ATTR_MCAST_GRP.ID, t.u32()],
});

/**
 * One operation of a family (`op-attrs`): `{ id, flags }`, flags decoded to names
 * ("cmdCapDo", ...).
 *
 * @example
 * ```ts
 * import { opAttrs } from "@nlts/netlink/genl";
 * console.log(opAttrs.nameOf(2)); // "flags"
 * ```
 */
export const opAttrs: AttrSet<{
  id: FixedCodec<number>;
  flags: FixedCodec<(GenlOpFlagName | number)[], readonly (GenlOpFlagName | number)[] | number>;
}> = attrSet("op-attrs", {
  id: [CTRL_ATTR_OP.ID, t.u32()],
  flags: [
    CTRL_ATTR_OP.FLAGS,
    t.flags(t.u32(), {
      adminPerm: GENL_OP_FLAG.ADMIN_PERM,
      cmdCapDo: GENL_OP_FLAG.CMD_CAP_DO,
      cmdCapDump: GENL_OP_FLAG.CMD_CAP_DUMP,
      cmdCapHaspol: GENL_OP_FLAG.CMD_CAP_HASPOL,
      unsAdminPerm: GENL_OP_FLAG.UNS_ADMIN_PERM,
    }),
  ],
});

/**
 * The policy of one attribute in a policy dump (`policy-attrs`, `NL_POLICY_TYPE_ATTR_*`).
 * The kernel's 64-bit alignment `pad` attributes are skipped.
 *
 * @example
 * ```ts
 * import { policyAttrs } from "@nlts/netlink/genl";
 * console.log(policyAttrs.nameOf(4)); // "min-value-u"
 * ```
 */
export const policyAttrs: AttrSet<{
  type: FixedCodec<NlAttrTypeName | number>;
  minValueS: FixedCodec<bigint, bigint | number>;
  maxValueS: FixedCodec<bigint, bigint | number>;
  minValueU: FixedCodec<bigint, bigint | number>;
  maxValueU: FixedCodec<bigint, bigint | number>;
  minLength: FixedCodec<number>;
  maxLength: FixedCodec<number>;
  policyIdx: FixedCodec<number>;
  policyMaxtype: FixedCodec<number>;
  bitfield32Mask: FixedCodec<number>;
  pad: PadCodec;
  mask: FixedCodec<bigint, bigint | number>;
}> = attrSet("policy-attrs", {
  type: [
    NL_POLICY_TYPE_ATTR.TYPE,
    t.enum(t.u32(), {
      invalid: NL_ATTR_TYPE.INVALID,
      flag: NL_ATTR_TYPE.FLAG,
      u8: NL_ATTR_TYPE.U8,
      u16: NL_ATTR_TYPE.U16,
      u32: NL_ATTR_TYPE.U32,
      u64: NL_ATTR_TYPE.U64,
      s8: NL_ATTR_TYPE.S8,
      s16: NL_ATTR_TYPE.S16,
      s32: NL_ATTR_TYPE.S32,
      s64: NL_ATTR_TYPE.S64,
      binary: NL_ATTR_TYPE.BINARY,
      string: NL_ATTR_TYPE.STRING,
      nulString: NL_ATTR_TYPE.NUL_STRING,
      nested: NL_ATTR_TYPE.NESTED,
      nestedArray: NL_ATTR_TYPE.NESTED_ARRAY,
      bitfield32: NL_ATTR_TYPE.BITFIELD32,
      sint: NL_ATTR_TYPE.SINT,
      uint: NL_ATTR_TYPE.UINT,
    }),
  ],
  minValueS: [NL_POLICY_TYPE_ATTR.MIN_VALUE_S, t.s64()],
  maxValueS: [NL_POLICY_TYPE_ATTR.MAX_VALUE_S, t.s64()],
  minValueU: [NL_POLICY_TYPE_ATTR.MIN_VALUE_U, t.u64()],
  maxValueU: [NL_POLICY_TYPE_ATTR.MAX_VALUE_U, t.u64()],
  minLength: [NL_POLICY_TYPE_ATTR.MIN_LENGTH, t.u32()],
  maxLength: [NL_POLICY_TYPE_ATTR.MAX_LENGTH, t.u32()],
  policyIdx: [NL_POLICY_TYPE_ATTR.POLICY_IDX, t.u32()],
  policyMaxtype: [NL_POLICY_TYPE_ATTR.POLICY_MAXTYPE, t.u32()],
  bitfield32Mask: [NL_POLICY_TYPE_ATTR.BITFIELD32_MASK, t.u32()],
  pad: [NL_POLICY_TYPE_ATTR.PAD, t.pad()],
  mask: [NL_POLICY_TYPE_ATTR.MASK, t.u64()],
});

/**
 * The policy indexes of one operation (`op-policy-attrs`): `{ do, dump }`.
 *
 * @example
 * ```ts
 * import { opPolicyAttrs } from "@nlts/netlink/genl";
 * console.log(opPolicyAttrs.nameOf(1)); // "do"
 * ```
 */
export const opPolicyAttrs: AttrSet<{
  do: FixedCodec<number>;
  dump: FixedCodec<number>;
}> = attrSet("op-policy-attrs", {
  do: [CTRL_ATTR_POLICY.DO, t.u32()],
  dump: [CTRL_ATTR_POLICY.DUMP, t.u32()],
});

/**
 * The controller's attributes (`ctrl-attrs`), in CTRL_CMD_GETFAMILY and CTRL_CMD_GETPOLICY
 * requests and replies.
 *
 * - `ops`, `mcastGroups`: indexed arrays (the kernel numbers entries from 1 and, like YNL's
 *   genetlink-legacy, sends these nests without NLA_F_NESTED; so do we);
 * - `policy`: policy index -> attribute type -> policy, as nested `{ key, value }` arrays;
 * - `opPolicy`: command -> `{ do, dump }` policy indexes, as `{ key, value }` entries.
 *
 * @example
 * ```ts
 * import { ctrlAttrs } from "@nlts/netlink/genl";
 * import { NetlinkWriter } from "@nlts/netlink/protocol";
 * const w = new NetlinkWriter();
 * ctrlAttrs.encode(w, { familyName: "nlctrl" });
 * console.log(ctrlAttrs.decode(w.bytes())); // { familyName: "nlctrl" }
 * ```
 */
export const ctrlAttrs: AttrSet<{
  familyId: FixedCodec<number>;
  familyName: Codec<string>;
  version: FixedCodec<number>;
  hdrsize: FixedCodec<number>;
  maxattr: FixedCodec<number>;
  ops: ArrayOf<NestOf<typeof opAttrs>>;
  mcastGroups: ArrayOf<NestOf<typeof mcastGroupAttrs>>;
  policy: MapOf<MapOf<NestOf<typeof policyAttrs>>>;
  opPolicy: MapOf<NestOf<typeof opPolicyAttrs>>;
  op: FixedCodec<number>;
}> = attrSet("ctrl-attrs", {
  familyId: [CTRL_ATTR.FAMILY_ID, t.u16()],
  familyName: [CTRL_ATTR.FAMILY_NAME, t.string({ maxLength: GENL_NAMSIZ - 1 })],
  version: [CTRL_ATTR.VERSION, t.u32()],
  hdrsize: [CTRL_ATTR.HDRSIZE, t.u32()],
  maxattr: [CTRL_ATTR.MAXATTR, t.u32()],
  ops: [
    CTRL_ATTR.OPS,
    t.indexedArray(t.nest(opAttrs, { nestedFlag: false }), { nestedFlag: false }),
  ],
  mcastGroups: [
    CTRL_ATTR.MCAST_GROUPS,
    t.indexedArray(t.nest(mcastGroupAttrs, { nestedFlag: false }), { nestedFlag: false }),
  ],
  policy: [CTRL_ATTR.POLICY, t.map(t.map(t.nest(policyAttrs)))],
  opPolicy: [CTRL_ATTR.OP_POLICY, t.map(t.nest(opPolicyAttrs))],
  op: [CTRL_ATTR.OP, t.u32()],
});

/**
 * The nlctrl family description, for {@link GenlSocket.family}.
 *
 * @example
 * ```ts
 * import { GenlSocket, nlctrl } from "@nlts/netlink/genl";
 * using genl = GenlSocket.open();
 * const f = genl.family(nlctrl).doSync("getfamily", { familyName: "nlctrl" });
 * console.log(f?.familyId); // 16
 * ```
 */
export const nlctrl: {
  readonly name: "nlctrl";
  readonly version: 2;
  readonly fixedId: 16;
  readonly attrs: typeof ctrlAttrs;
  readonly operations: {
    readonly getfamily: { readonly cmd: 3; readonly do: true; readonly dump: true };
    readonly getpolicy: { readonly cmd: 10; readonly do: false; readonly dump: true };
  };
  readonly events: {
    readonly newfamily: { readonly cmd: 1 };
    readonly delfamily: { readonly cmd: 2 };
    readonly newops: { readonly cmd: 4 };
    readonly delops: { readonly cmd: 5 };
    readonly "newmcast-grp": { readonly cmd: 7 };
    readonly "delmcast-grp": { readonly cmd: 8 };
  };
  readonly mcastGroups: readonly ["notify"];
} = defineFamily(
  {
    name: "nlctrl",
    version: 2,
    fixedId: GENL_ID_CTRL,
    attrs: ctrlAttrs,
    operations: {
      getfamily: { cmd: CTRL_CMD.GETFAMILY, do: true, dump: true },
      getpolicy: { cmd: CTRL_CMD.GETPOLICY, do: false, dump: true },
    },
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
  /** Flag names (adminPerm, cmdCapDo, cmdCapDump, cmdCapHaspol, unsAdminPerm); numbers for unknown bits. */
  flags: (GenlOpFlagName | number)[];
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
