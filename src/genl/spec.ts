/**
 * How a generic netlink family is described: {@link defineFamily} and the types that derive
 * each operation's request and reply, the fixed header and the notifications from a
 * {@link FamilySpec}. Pure: no I/O.
 *
 * @module
 */

import type { AttrSet } from "../protocol/schema_attrs.ts";
import { checkFamilySpec } from "./_validate.ts";
import type {
  AttrFields,
  DecodedAttrs,
  DecodedStruct,
  EncodableAttrs,
  EncodableStruct,
  StructCodec,
  StructMembers,
} from "../protocol/schema_types.ts";

/** Any attribute set (the element type of family descriptions). */
// deno-lint-ignore no-explicit-any
export type AnySet = AttrSet<any>;
/** Any struct codec (a family's fixed header). */
// deno-lint-ignore no-explicit-any
export type AnyStruct = StructCodec<any>;

/** One operation (command) of a family. */
export interface OperationSpec {
  /** The command number (`CTRL_CMD_*`, `OVS_DP_CMD_*`, ...). */
  readonly cmd: number;
  /** Attribute set of the request; default: the family's `attrs`. */
  readonly request?: AnySet;
  /** Attribute set of the reply; default: the request's set. */
  readonly reply?: AnySet;
  /** Whether `do` is supported (default true). */
  readonly do?: boolean;
  /** Whether `dump` is supported (default false). */
  readonly dump?: boolean;
  /** Command number of the replies, when it differs (informational). */
  readonly replyCmd?: number;
}

/** A notification (multicast event) of a family. */
export interface EventSpec {
  /** Command number carried by the notification. */
  readonly cmd: number;
  /** Attribute set of its payload; default: the family's `attrs`. */
  readonly attrs?: AnySet;
}

/** The description of a generic netlink family. */
export interface FamilySpec {
  /** The family name registered with the controller, e.g. "ethtool". */
  readonly name: string;
  /** Version written in genlmsghdr. */
  readonly version: number;
  /** Fixed header after genlmsghdr (e.g. `struct ovs_header`), if the family has one. */
  readonly header?: AnyStruct;
  /** The family's main attribute set. */
  readonly attrs: AnySet;
  /** Operations by name (YNL spelling of the op works well: "linkinfo-get"). */
  readonly operations: { readonly [name: string]: OperationSpec };
  /** Notifications by name. */
  readonly events?: { readonly [name: string]: EventSpec };
  /** Multicast group names. */
  readonly mcastGroups?: readonly string[];
  /** Kernel module that provides the family (named in "family not found" errors). */
  readonly module?: string;
  /** Fixed family id (only nlctrl has one); others are looked up by name. */
  readonly fixedId?: number;
}

/**
 * Declares a family. Identity function that keeps the literal types, so that
 * `Family<typeof spec>` knows every operation's request and reply types.
 *
 * @example
 * ```ts
 * import { attrSet, defineFamily, t } from "@nlts/netlink/genl";
 * const attrs = attrSet("dev", { ifindex: [1, t.u32()], name: [2, t.string()] });
 * const netdev = defineFamily({
 *   name: "netdev",
 *   version: 1,
 *   attrs,
 *   operations: { "dev-get": { cmd: 1, do: true, dump: true } },
 *   mcastGroups: ["mgmt"],
 * });
 * ```
 */
export function defineFamily<const S extends FamilySpec>(spec: S): S {
  checkFamilySpec(spec, "define family");
  return spec;
}

/** The operations of family `S`. */
export type OpsOf<S extends FamilySpec> = S["operations"];
/** The request attribute set of operation `K`. */
export type RequestSetOf<S extends FamilySpec, K extends keyof OpsOf<S>> = OpsOf<S>[K] extends
  { readonly request: infer R extends AnySet } ? R : S["attrs"];
/** The reply attribute set of operation `K`. */
export type ReplySetOf<S extends FamilySpec, K extends keyof OpsOf<S>> = OpsOf<S>[K] extends
  { readonly reply: infer R extends AnySet } ? R : RequestSetOf<S, K>;
/** The codecs of an attribute set. */
export type FieldsOfSet<A> = A extends AttrSet<infer F extends AttrFields> ? F : never;

/** Attributes accepted by operation `K` of family `S`. */
export type RequestOf<S extends FamilySpec, K extends keyof OpsOf<S>> = EncodableAttrs<
  FieldsOfSet<RequestSetOf<S, K>>
>;
/** Decoded reply attributes of operation `K` of family `S`. */
export type ReplyOf<S extends FamilySpec, K extends keyof OpsOf<S>> = DecodedAttrs<
  FieldsOfSet<ReplySetOf<S, K>>
>;
/** Decoded fixed header of family `S` (an empty object when it has none). */
export type HeaderOf<S extends FamilySpec> = S["header"] extends StructCodec<
  infer M extends StructMembers
> ? DecodedStruct<M>
  : Record<string, never>;
/** Fixed header accepted by family `S`. */
export type HeaderInitOf<S extends FamilySpec> = S["header"] extends StructCodec<
  infer M extends StructMembers
> ? EncodableStruct<M>
  : Record<string, never>;

/** A decoded generic netlink message: genlmsghdr, fixed header, attributes. */
export interface GenlMessage<A, H = Record<string, never>> {
  /** genlmsghdr command. */
  cmd: number;
  /** genlmsghdr version. */
  version: number;
  /** The family's fixed header (empty object when it has none). */
  header: H;
  /** Decoded attributes. */
  attrs: A;
  /** nlmsg_flags of the message. */
  flags: number;
  /** nlmsg_seq (0 for most notifications). */
  seq: number;
  /** nlmsg_pid. */
  pid: number;
}

/** The events of family `S` (an empty record when it declares none). */
export type EventsOf<S extends FamilySpec> = S["events"] extends
  { readonly [name: string]: EventSpec } ? S["events"] : Record<never, EventSpec>;
/** The attribute set of event `E` of family `S`. */
export type EventSetOf<S extends FamilySpec, E extends keyof EventsOf<S>> = EventsOf<S>[E] extends
  { readonly attrs: infer A extends AnySet } ? A : S["attrs"];

/**
 * A message of family `S` decoded by its cmd alone (`Family.decode` without an op): a
 * notification, or an operation's reply, whose `event` is then the operation's name (a cmd that
 * is both an event's and a reply's decodes as the event).
 */
export type GenlReceived<S extends FamilySpec> =
  | GenlNotification<S>
  | {
    [K in keyof OpsOf<S> & string]:
      & GenlMessage<ReplyOf<S, K>, HeaderOf<S>>
      & { event: K; group?: string };
  }[keyof OpsOf<S> & string];

/**
 * A decoded notification: a union over the family's events, each with its own attribute types
 * (`event` tells them apart); a command the description does not know arrives as `cmd-N` with
 * the family's main attribute set. `group` names the multicast group it came through.
 */
export type GenlNotification<S extends FamilySpec> =
  | {
    [E in keyof EventsOf<S> & string]:
      & GenlMessage<DecodedAttrs<FieldsOfSet<EventSetOf<S, E>>>, HeaderOf<S>>
      & { event: E; group?: string };
  }[keyof EventsOf<S> & string]
  | (
    & GenlMessage<DecodedAttrs<FieldsOfSet<S["attrs"]>>, HeaderOf<S>>
    & { event: `cmd-${number}`; group?: string }
  );
