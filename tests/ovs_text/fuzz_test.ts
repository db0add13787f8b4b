// Seeded random keys, masks and action lists: encode -> decode -> encode is byte-identical,
// printing never throws and text -> objects -> text is stable (truncated and corrupted bytes
// are fuzzed in tests/fuzz).
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
import { randomActions, randomKey, randomMask, Rng } from "./_random.ts";

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
    const p = parseFlowKey(t);
    assert.equal(formatFlowKey(p.key), t, `key ${i}: ${t}`);
    assert.equal(formatFlowKey(decodeFlowKey(encodeFlowKey(p.key))), t);
    // Masked: what zero masks hide is not printed, yet the text reads back and prints the
    // same (geneve "{}" and data without "len=", erspan() without "ver=", tunnel flags(+key)
    // without tun_id, vxlan(gbp()) ...).
    // (An empty mask prints as no mask: the text is compared printed with an empty one again.)
    const mask = randomMask(r, key, { ovsText: true });
    const t1 = formatFlowKey(key, mask);
    const p1 = parseFlowKey(t1);
    const m1 = Object.keys(mask).length === 0 ? {} : p1.mask;
    assert.equal(formatFlowKey(p1.key, m1), t1, `masked key ${i}: ${t1}`);
    const k2 = decodeFlowKey(encodeFlowKey(p1.key));
    const m2 = decodeFlowKey(encodeFlowKey(m1));
    assert.equal(formatFlowKey(k2, m2), t1, `masked key ${i} through bytes: ${t1}`);
    const a: Action[] = randomActions(r, 0, { ovsText: true });
    const ta = formatActions(a);
    const pa = parseActions(ta);
    assert.equal(formatActions(pa), ta, `actions ${i}: ${ta}`);
  }
});
