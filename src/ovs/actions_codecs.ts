/**
 * Custom codecs of the action model: NAT range addresses (4 or 16 bytes: IPv4 or IPv6 by
 * payload length) and the masked set action (one key attribute whose payload is the value
 * followed by a mask of the same size).
 *
 * @module
 */

import type { AttrSet, Codec, UnknownAttr } from "../protocol/schema.ts";
import type { DecodeContext, EncodeContext } from "../protocol/schema_context.ts";
import { fmtIpv4, fmtIpv6, parseIpv4, parseIpv6 } from "../protocol/schema_addr.ts";
import type { NetlinkWriter } from "../protocol/writer.ts";
import { NLA_HDRLEN } from "../protocol/constants.ts";
import { copyBytesAt as copyBytes } from "../protocol/_bytes.ts";
import { type FlowKey, flowKeyAttrs, nshKeyAttrs } from "./keys.ts";

class NatAddressCodec implements Codec<string> {
  readonly kind = "nat-address";
  readonly type = "ipv4 or ipv6 address";
  readonly size = -1;
  readonly nlaFlags = 0;
  readonly repeated = false;

  decode(c: DecodeContext, offset: number, length: number): string {
    if (length === 4) return fmtIpv4(c.data, offset);
    if (length === 16) return fmtIpv6(c.data, offset);
    throw c.error(
      `expected 4 (IPv4) or 16 (IPv6) bytes for a NAT address, got ${length}`,
      offset - 4,
    );
  }

  encode(w: NetlinkWriter, value: string, c: EncodeContext): void {
    if (typeof value !== "string") {
      throw c.typeError(`expected an IPv4 or IPv6 address string, got ${typeof value}`);
    }
    if (value.includes(":")) {
      const b = parseIpv6(value);
      if (b === null) throw c.rangeError(`"${value}" is not an IPv6 address`);
      w.putBytes(b);
      return;
    }
    const b = new Uint8Array(4);
    if (!parseIpv4(value, b, 0)) throw c.rangeError(`"${value}" is not an IPv4 address`);
    w.putBytes(b);
  }
}

const NAT_ADDRESS = new NatAddressCodec();

/**
 * `OVS_NAT_ATTR_IP_MIN` / `IP_MAX`: an IPv4 address in 4 bytes or an IPv6 address in 16,
 * decoded to text; encoding picks the family from the text (a ":" means IPv6).
 *
 * @example
 * ```ts
 * import { natAddress } from "@nlts/netlink/ovs";
 * console.log(natAddress().size); // -1
 * ```
 */
export function natAddress(): Codec<string> {
  return NAT_ADDRESS;
}

/**
 * The value of a masked set action: a key and a mask that each hold the same single
 * attribute. A key attribute the model cannot split (an unknown type, or a nest other than
 * `nsh`) is kept whole in `key.unknown` with an empty `mask`.
 *
 * @example
 * ```ts
 * import type { SetMasked } from "@nlts/netlink/ovs";
 * const v: SetMasked = { key: { tcp: { src: 80, dst: 0 } }, mask: { tcp: { src: 0xffff, dst: 0 } } };
 * ```
 */
export interface SetMasked {
  /** The new value (bits outside the mask should be zero). */
  key: FlowKey;
  /** Which bits to write. */
  mask: FlowKey;
}

type AnyCodec = Codec<unknown, unknown>;

interface Field {
  key: string;
  name: string;
  type: number;
  codec: AnyCodec;
}

function isFixed(codec: AnyCodec): boolean {
  return codec.size >= 0;
}

class SetMaskedCodec implements Codec<SetMasked, SetMasked> {
  readonly kind = "set-masked";
  readonly type = "masked key attribute";
  readonly size = -1;
  readonly nlaFlags = 0;
  readonly repeated = false;

  #field(type: number): Field | undefined {
    return flowKeyAttrs.field(type) as Field | undefined;
  }

  /** Splits one attribute's payload in two halves decoded with `codec`. */
  #halves(
    c: DecodeContext,
    f: Field,
    p: number,
    len: number,
    hdr: number,
  ): [unknown, unknown] | null {
    const codec = f.codec;
    if (isFixed(codec)) {
      if (len !== 2 * codec.size) {
        throw c.error(
          `expected ${2 * codec.size} bytes (value and mask of ${codec.type}), got ${len}`,
          hdr,
        );
      }
      return [codec.decode(c, p, codec.size), codec.decode(c, p + codec.size, codec.size)];
    }
    if (codec.kind === "nest" || codec.kind === "lazy") return null;
    if (len % 2 !== 0) {
      throw c.error(`expected an even length (value and mask), got ${len}`, hdr);
    }
    const half = len / 2;
    return [codec.decode(c, p, half), codec.decode(c, p + half, half)];
  }

  decode(c: DecodeContext, offset: number, length: number): SetMasked {
    const end = offset + length;
    if (length < NLA_HDRLEN) {
      throw c.error(`expected one key attribute, got ${length} bytes`, offset - NLA_HDRLEN);
    }
    const view = c.view;
    const len = view.getUint16(offset, true);
    const type = view.getUint16(offset + 2, true) & 0x3fff;
    if (len < NLA_HDRLEN || len > end - offset) {
      throw c.error(`bad key attribute length ${len}`, offset);
    }
    const p = offset + NLA_HDRLEN;
    const plen = len - NLA_HDRLEN;
    const f = this.#field(type);
    const whole = (): SetMasked => {
      const u: UnknownAttr = { type, bytes: copyBytes(c.data, p, plen) };
      return { key: { unknown: [u] }, mask: {} };
    };
    if (f === undefined) return whole();
    const d = c.push(f.name);
    try {
      if (f.key === "nsh") return this.#decodeNsh(c, p, plen, offset);
      const h = this.#halves(c, f, p, plen, offset);
      if (h === null) return whole();
      return { key: { [f.key]: h[0] } as FlowKey, mask: { [f.key]: h[1] } as FlowKey };
    } finally {
      c.pop(d);
    }
  }

  #decodeNsh(c: DecodeContext, start: number, length: number, hdr: number): SetMasked {
    const nsh = nshKeyAttrs as unknown as AttrSet<Record<string, AnyCodec>>;
    const key: Record<string, unknown> = {};
    const mask: Record<string, unknown> = {};
    const end = start + length;
    const view = c.view;
    let pos = start;
    while (end - pos >= NLA_HDRLEN) {
      const len = view.getUint16(pos, true);
      const type = view.getUint16(pos + 2, true) & 0x3fff;
      if (len < NLA_HDRLEN || len > end - pos) {
        throw c.error(`bad nsh attribute length ${len}`, pos === start ? hdr : pos);
      }
      const p = pos + NLA_HDRLEN;
      const plen = len - NLA_HDRLEN;
      const f = nsh.field(type) as Field | undefined;
      if (f === undefined) {
        const u: UnknownAttr = { type, bytes: copyBytes(c.data, p, plen) };
        ((key.unknown as UnknownAttr[] | undefined) ??= []).push(u);
      } else {
        const d = c.push(f.name);
        const h = this.#halves(c, f, p, plen, pos) as [unknown, unknown];
        key[f.key] = h[0];
        mask[f.key] = h[1];
        c.pop(d);
      }
      pos += (len + 3) & ~3;
    }
    return { key: { nsh: key }, mask: { nsh: mask } };
  }

  encode(w: NetlinkWriter, value: SetMasked, c: EncodeContext): void {
    if (typeof value !== "object" || value === null) {
      throw c.typeError("expected { key, mask } for a masked set action");
    }
    const key = value.key as Record<string, unknown>;
    const mask = (value.mask ?? {}) as Record<string, unknown>;
    if (typeof key !== "object" || key === null) {
      throw c.typeError("expected a key object holding one attribute");
    }
    const names = Object.keys(key).filter((k) => key[k] !== undefined);
    if (names.length !== 1) {
      throw c.typeError(
        `a masked set action holds exactly one key attribute, got ${names.length} (${
          names.join(", ")
        })`,
      );
    }
    const name = names[0];
    if (name === "unknown") {
      const list = key.unknown as UnknownAttr[];
      if (!Array.isArray(list) || list.length !== 1) {
        throw c.typeError("expected one unknown attribute in key.unknown");
      }
      const u = list[0];
      const start = w.beginAttr(u.type);
      w.putBytes(u.bytes);
      w.endAttr(start);
      return;
    }
    const f = flowKeyAttrs.field(name) as Field | undefined;
    if (f === undefined) throw c.typeError(`key-attrs has no attribute "${name}"`);
    if (mask[name] === undefined) {
      throw c.typeError(`the mask must hold the same attribute as the key ("${name}")`);
    }
    const d = c.push(f.name);
    const start = w.beginAttr(f.type);
    if (name === "nsh") {
      this.#encodeNsh(
        w,
        key.nsh as Record<string, unknown>,
        mask.nsh as Record<string, unknown>,
        c,
      );
    } else {
      if (f.codec.kind === "nest" || f.codec.kind === "lazy") {
        throw c.typeError(`${f.name} cannot be masked (use a plain set action)`);
      }
      this.#pair(w, f.codec, key[name], mask[name], c);
    }
    w.endAttr(start);
    c.pop(d);
  }

  #pair(w: NetlinkWriter, codec: AnyCodec, k: unknown, m: unknown, c: EncodeContext): void {
    const before = w.length;
    codec.encode(w, k, c);
    const size = w.length - before;
    codec.encode(w, m, c);
    if (w.length - before !== 2 * size) {
      throw c.rangeError("the mask must encode to as many bytes as the value");
    }
  }

  #encodeNsh(
    w: NetlinkWriter,
    key: Record<string, unknown>,
    mask: Record<string, unknown>,
    c: EncodeContext,
  ): void {
    if (typeof key !== "object" || key === null || typeof mask !== "object" || mask === null) {
      throw c.typeError("expected nsh objects in key and mask");
    }
    const nsh = nshKeyAttrs as unknown as AttrSet<Record<string, AnyCodec>>;
    for (const k of Object.keys(key)) {
      const v = key[k];
      if (v === undefined) continue;
      if (k === "unknown") {
        for (const u of v as UnknownAttr[]) {
          const s = w.beginAttr(u.type);
          w.putBytes(u.bytes);
          w.endAttr(s);
        }
        continue;
      }
      const f = nsh.field(k) as Field | undefined;
      if (f === undefined) throw c.typeError(`ovs-nsh-key-attrs has no attribute "${k}"`);
      if (mask[k] === undefined) throw c.typeError(`the nsh mask lacks "${k}"`);
      const d = c.push(f.name);
      const s = w.beginAttr(f.type);
      this.#pair(w, f.codec, v, mask[k], c);
      w.endAttr(s);
      c.pop(d);
    }
  }
}

const SET_MASKED = new SetMaskedCodec();

/**
 * `OVS_ACTION_ATTR_SET_MASKED`: one key attribute carrying a value then a mask of the same
 * size (for `nsh`, each nested attribute carries its value then its mask). Decodes to
 * {@link SetMasked}.
 *
 * @example
 * ```ts
 * import { setMasked } from "@nlts/netlink/ovs";
 * console.log(setMasked().kind); // "set-masked"
 * ```
 */
export function setMasked(): Codec<SetMasked, SetMasked> {
  return SET_MASKED;
}
