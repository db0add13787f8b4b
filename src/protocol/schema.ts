/**
 * The typed attribute schema system: declare an attribute set once, get encode, decode,
 * validation, error paths and extended-ack offset mapping from it, with TypeScript inferring
 * the decoded and encodable types.
 *
 * Conventions of decoded objects:
 * - keys are the camelCase keys of the schema (`familyName`); paths and messages use the YNL
 *   (kebab-case) names (`ctrl-attrs.family-name`);
 * - every attribute is optional; attributes the schema does not know are kept in the `unknown`
 *   property as `{ type, bytes, flags? }` and re-emitted by `encode` (`{ strict: true }` makes
 *   them a DecodeError instead);
 * - u64/s64 and YNL `uint`/`sint` decode to bigint; 8..32-bit integers to number;
 * - indexed arrays and multi-attr decode to arrays, keyed maps to `{ key, value }[]`, ordered
 *   lists to `{ kind, value }[]`;
 * - DecodeError paths look like `ctrl-attrs.ops[1].flags`: the set name (or the `path` option),
 *   then `.name` per attribute and `[i]` per array position or map key.
 *
 * @example
 * ```ts
 * import { attrSet, type Decoded, NetlinkWriter, t } from "@nlts/netlink/protocol";
 * const opAttrs = attrSet("op-attrs", {
 *   id: [1, t.u32()],
 *   flags: [2, t.flags(t.u32(), { adminPerm: 1, cmdCapDo: 2, cmdCapDump: 4, cmdCapHaspol: 8 })],
 * });
 * const ctrlAttrs = attrSet("ctrl-attrs", {
 *   familyId: [1, t.u16()],
 *   familyName: [2, t.string()],
 *   ops: [6, t.indexedArray(t.nest(opAttrs))],
 * });
 * type Ctrl = Decoded<typeof ctrlAttrs>;
 * const w = new NetlinkWriter();
 * ctrlAttrs.encode(w, { familyName: "nlctrl", ops: [{ id: 3, flags: ["cmdCapDo"] }] });
 * const v: Ctrl = ctrlAttrs.decode(w.bytes(), 0, w.length, { strict: true });
 * console.log(v.ops?.[0].flags); // ["cmdCapDo"]
 * ```
 *
 * @module
 */

export * as t from "./schema_codecs.ts";
export {
  type AttrEntry,
  type AttrField,
  type AttrOptions,
  AttrSet,
  attrSet,
  type AttrSetOptions,
  type Decoded,
  type Encodable,
  type ListOf,
  type NestOf,
  type SharedNestOf,
} from "./schema_attrs.ts";
export type {
  FieldsOf,
  IndexedArrayOptions,
  NestOptions,
  SubMessageFormat,
  SubMessageOptions,
} from "./schema_attrs.ts";
export type { DecodedFormat, EncodableFormat, SubMessageOf } from "./schema_attrs.ts";
export { type AttrNames, AttrTrace, type AttrTraceOptions } from "./schema_trace.ts";
export { DecodeContext, EncodeContext, MAX_NESTING } from "./schema_context.ts";
export { flagsList, flagsValue } from "./schema_scalars.ts";
export type {
  BinaryOptions,
  EnumValues,
  IntOptions,
  StringOptions,
  StructOptions,
} from "./schema_scalars.ts";
export type { PadCodec } from "./schema_codecs.ts";
export type {
  ArrayOf,
  AttrFields,
  BitField32,
  Codec,
  DecodedAttrs,
  DecodedOf,
  DecodedStruct,
  DecodeOptions,
  EncodableAttrs,
  EncodableListItem,
  EncodableOf,
  EncodableStruct,
  EncodeOptions,
  ExtensibleOf,
  FixedCodec,
  ListItem,
  MapEntry,
  MapOf,
  NonPadKeys,
  PadMarker,
  StructCodec,
  StructMembers,
  StructTail,
  UnknownAttr,
  UnknownItem,
} from "./schema_types.ts";
