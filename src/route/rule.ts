/**
 * Routing policy rules as rtnetlink reports them ({@link Rule}, from RTM_NEWRULE: `struct
 * fib_rule_hdr` and the rt-rule spec's attributes).
 *
 * @module
 */

import type { RawHeaderOf, RawReplyOf } from "../ynl/raw_family.ts";
import type { rtRule } from "../families/rt_rule.ts";
import { type Family, familyName } from "./address.ts";
import { protocolName } from "./constants.ts";

/**
 * The decoded attributes of an RTM_NEWRULE (the rt-rule spec's `fib-rule-attrs`).
 *
 * @example
 * ```ts
 * import type { RuleAttrs } from "@nlts/netlink/route";
 * const a: RuleAttrs = { priority: 100, table: 100, src: "10.0.0.0" };
 * ```
 */
export type RuleAttrs = RawReplyOf<typeof rtRule, "getrule">;
/**
 * The decoded `struct fib_rule_hdr`.
 *
 * @example
 * ```ts
 * import type { RuleHeader } from "@nlts/netlink/route";
 * const h: Partial<RuleHeader> = { family: 2, srcLen: 8, action: "toTbl" };
 * ```
 */
export type RuleHeader = RawHeaderOf<typeof rtRule, "getrule">;

/**
 * A routing policy rule, as `ip rule show` describes it.
 *
 * @example
 * ```ts
 * import { RouteClient } from "@nlts/netlink/route";
 * using rt = RouteClient.open();
 * for (const r of rt.rulesSync()) console.log(r.priority, r.action, r.table);
 * ```
 */
export interface Rule {
  /** `inet` or `inet6`. */
  family: Family;
  /** Priority (FRA_PRIORITY; rules are tried in increasing order). */
  priority: number;
  /** What a match does: `toTbl` (look up `table`), `goto`, `nop`, `blackhole`, `unreachable`, `prohibit`. */
  action: string | number;
  /** Table looked up (FRA_TABLE, or the header's 8-bit one). */
  table: number;
  /** Source prefix matched (`10.0.0.0/8`). */
  src?: string;
  /** Destination prefix matched. */
  dst?: string;
  /** Input interface matched. */
  iifname?: string;
  /** Output interface matched. */
  oifname?: string;
  /** Firewall mark matched. */
  fwmark?: number;
  /** Mask of the mark. */
  fwmask?: number;
  /** TOS matched. */
  tos: number;
  /** The rule a `goto` jumps to. */
  goto?: number;
  /** Who added it (FRA_PROTOCOL): `kernel`, `boot`, `static`... */
  protocol?: string | number;
  /** Routes whose prefix is this long or shorter are ignored (FRA_SUPPRESS_PREFIXLEN). */
  suppressPrefixlen?: number;
  /** Header flags (FIB_RULE_INVERT 0x2...). */
  flags: number;
  /** Every attribute the kernel sent, decoded by the rt-rule spec. */
  attrs: RuleAttrs;
}

/**
 * A {@link Rule} from a decoded RTM_NEWRULE.
 *
 * @example
 * ```ts
 * import { RawFamily } from "@nlts/netlink/ynl";
 * import { rtRule } from "@nlts/netlink/families/rt_rule";
 * import { toRule } from "@nlts/netlink/route";
 * using f = RawFamily.open(rtRule);
 * for (const m of f.dumpSync("getrule", undefined, { header: { family: 2 } })) console.log(toRule(m.header, m.attrs).priority);
 * ```
 */
export function toRule(h: RuleHeader, a: RuleAttrs): Rule {
  const r: Rule = {
    family: familyName(h.family),
    priority: a.priority ?? 0,
    action: h.action,
    table: a.table ?? h.table,
    tos: h.tos,
    flags: h.flags,
    attrs: a,
  };
  if (a.src !== undefined) r.src = `${a.src}/${h.srcLen}`;
  if (a.dst !== undefined) r.dst = `${a.dst}/${h.dstLen}`;
  if (a.iifname !== undefined) r.iifname = a.iifname;
  if (a.oifname !== undefined) r.oifname = a.oifname;
  if (a.fwmark !== undefined) r.fwmark = a.fwmark;
  if (a.fwmask !== undefined) r.fwmask = a.fwmask;
  if (a.goto !== undefined) r.goto = a.goto;
  if (a.protocol !== undefined) r.protocol = protocolName(a.protocol);
  if (a.suppressPrefixlen !== undefined && a.suppressPrefixlen !== 0xffffffff) {
    r.suppressPrefixlen = a.suppressPrefixlen;
  }
  return r;
}
