// Seeded random keys, masks and action lists: encode -> decode -> encode is byte-identical,
// printing never throws and text -> objects -> text is stable; truncated and corrupted bytes
// raise DecodeError and nothing else.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  type Action,
  decodeActions,
  decodeFlowKey,
  encodeActions,
  encodeFlowKey,
  formatActions,
  formatFlowKey,
  parseActions,
  parseFlowKey,
} from "./_ovs.ts";
import { DecodeError } from "../../src/protocol/errors.ts";
import { randomActions, randomKey, randomMask, Rng } from "./_random.ts";

const UNREADABLE =
  /error:|mask len|\{\}|\{(?![^}]*len=)[^}]*0x|erspan\((?!ver=)|_(label|mark|zone)\(\)|key\d+\(|\(bad/;

const SEED = 0x5eed_0f1;
const N = 600;

function hexOf(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

test("fuzz: random keys and masks re-encode byte for byte", () => {
  const r = new Rng(SEED);
  for (let i = 0; i < N; i++) {
    const key = randomKey(r);
    const mask = randomMask(r, key);
    for (const v of [key, mask]) {
      const b = encodeFlowKey(v);
      const d = decodeFlowKey(b);
      assert.equal(hexOf(encodeFlowKey(d)), hexOf(b), `case ${i}`);
    }
    const dk = decodeFlowKey(encodeFlowKey(key)), dm = decodeFlowKey(encodeFlowKey(mask));
    formatFlowKey(dk, dm);
    formatFlowKey(dk, dm, { verbose: true });
    formatFlowKey(dk);
  }
});

test("fuzz: random action lists re-encode byte for byte", () => {
  const r = new Rng(SEED + 1);
  for (let i = 0; i < N; i++) {
    const a = randomActions(r);
    const b = encodeActions(a);
    const d = decodeActions(b);
    assert.equal(hexOf(encodeActions(d)), hexOf(b), `case ${i}`);
    formatActions(d);
  }
});

test("fuzz: printed keys and actions parse back to the same text", () => {
  const r = new Rng(SEED + 2);
  for (let i = 0; i < N; i++) {
    const key = randomKey(r, 0, { ovsText: true });
    const t = formatFlowKey(key);
    if (t !== "<empty>") {
      const p = parseFlowKey(t);
      assert.equal(formatFlowKey(p.key), t, `key ${i}: ${t}`);
      assert.equal(formatFlowKey(decodeFlowKey(encodeFlowKey(p.key))), t);
    }
    // Masked: printing loses what zero masks hide, so the text is checked to be stable after
    // one parse -> print. Text no parser reads comes only from Open vSwitch's own quirks (zero
    // masks): geneve "{}" or data without "len=", erspan() without "ver=", ct_label() etc.
    const mask = randomMask(r, key, { ovsText: true });
    const t1 = formatFlowKey(key, mask);
    if (t1 !== "" && t1 !== "<empty>") {
      let p1;
      try {
        p1 = parseFlowKey(t1);
      } catch (e) {
        assert.match(t1, UNREADABLE, `masked key ${i}: ${t1}: ${e}`);
      }
      if (p1 !== undefined) {
        const t2 = formatFlowKey(p1.key, p1.mask);
        if (t2 !== "" && !UNREADABLE.test(t2)) {
          const p2 = parseFlowKey(t2);
          assert.equal(formatFlowKey(p2.key, p2.mask), t2, `masked key ${i}: ${t1}`);
          const k3 = decodeFlowKey(encodeFlowKey(p2.key)),
            m3 = decodeFlowKey(encodeFlowKey(p2.mask));
          assert.equal(formatFlowKey(k3, m3), t2);
        }
      }
    }
    const a: Action[] = randomActions(r, 0, { ovsText: true });
    const ta = formatActions(a);
    // A masked set with a zero mask prints ct_label() etc., which no parser reads.
    if (!/error|_(label|mark|zone)\(\)/.test(ta)) {
      const pa = parseActions(ta);
      assert.equal(formatActions(pa), ta, `actions ${i}: ${ta}`);
    }
  }
});

function mutate(r: Rng, b: Uint8Array): Uint8Array {
  const c = b.slice(0, b.length === 0 ? 0 : r.int(b.length + 1));
  const flips = r.int(4);
  for (let k = 0; k < flips && c.length > 0; k++) c[r.int(c.length)] = r.u8();
  return c;
}

test("fuzz: truncated and corrupted keys and actions raise only DecodeError", () => {
  const r = new Rng(SEED + 3);
  let errors = 0, decoded = 0;
  for (let i = 0; i < N * 4; i++) {
    const isKey = r.bool();
    const b = isKey ? encodeFlowKey(randomKey(r)) : encodeActions(randomActions(r));
    const c = mutate(r, b);
    try {
      if (isKey) {
        const k = decodeFlowKey(c);
        formatFlowKey(k);
        formatFlowKey(k, k);
      } else {
        formatActions(decodeActions(c));
      }
      decoded++;
    } catch (e) {
      if (!(e instanceof DecodeError)) {
        throw new Error(`case ${i} (${isKey ? "key" : "actions"} ${hexOf(c)}): ${e}`);
      }
      errors++;
    }
  }
  assert.ok(errors > 0 && decoded > 0);
});
