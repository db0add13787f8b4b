// flagsValue and flagsList: a decoded flag set (frozen, shared) turned back into the kernel's
// word and a word into the list decode gives, for 32-bit and 64-bit bases, unknown bits kept as
// numbers, and a generated family's field; errors for a codec that is not a flag set, unknown
// names and words out of range.
import { test } from "node:test";
import assert from "node:assert/strict";
import { attrSet, flagsList, flagsValue, NetlinkWriter, t } from "../../src/protocol/mod.ts";
import { devAttrs } from "../../src/families/netdev.ts";

const values = { adminPerm: 1, cmdCapDo: 2, cmdCapDump: 4 };

test("flagsValue and flagsList invert each other over every word of a u32 set", () => {
  const f = t.flags(t.u32(), values);
  const set = attrSet("s", { flags: [1, f] });
  for (const word of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0x8000_0000, 0xffff_ffff]) {
    const w = new NetlinkWriter();
    set.encode(w, { flags: word });
    const decoded = set.decode(w.bytes()).flags!;
    assert.deepEqual(flagsList(f, word), decoded);
    assert.ok(Object.isFrozen(flagsList(f, word)));
    assert.equal(flagsValue(f, decoded), word);
  }
  assert.deepEqual(flagsList(f, 9), ["adminPerm", 8]);
  assert.equal(flagsValue(f, ["cmdCapDump", "adminPerm"]), 5);
  assert.equal(flagsValue(f, ["adminPerm", 16]), 17);
  assert.equal(flagsValue(f, []), 0);
});

test("a 64-bit base gives bigints both ways", () => {
  const f = t.flags(t.u64(), { low: 1, high: 2n ** 40n });
  assert.equal(flagsValue(f, ["low", "high"]), 2n ** 40n + 1n);
  assert.deepEqual(flagsList(f, 2n ** 40n + 1n + 2n ** 63n), ["low", "high", 2n ** 63n]);
  assert.deepEqual(flagsList(f, 1), ["low"]); // a safe integer is taken as the same bigint
  assert.deepEqual(flagsList(f, 0n), []);
});

test("a generated family's flag field: netdev xdp-features", () => {
  const xdp = devAttrs.field("xdpFeatures")!.codec;
  assert.equal(flagsValue(xdp, ["basic", "redirect", "ndoXmit"]), 7n);
  assert.deepEqual(flagsList(xdp, 7n), ["basic", "redirect", "ndoXmit"]);
  const w = new NetlinkWriter();
  devAttrs.encode(w, { xdpFeatures: 0x45n });
  const back = devAttrs.decode(w.bytes()).xdpFeatures!;
  assert.equal(flagsValue(xdp, back), 0x45n);
});

test("errors: not a flag set, unknown names, words out of range", () => {
  const f = t.flags(t.u32(), values);
  assert.throws(
    () => flagsValue(t.u32(), []),
    {
      name: "TypeError",
      message: "Cannot compute the value of flags: the codec is u32, not a flag set (t.flags)",
    },
  );
  assert.throws(() => flagsList(t.string(), 1), /Cannot list flags: the codec is string/);
  assert.throws(
    () => flagsValue(f, ["nope"]),
    /"nope" is not a known flag \(expected adminPerm, cmdCapDo, cmdCapDump or a number\)/,
  );
  assert.throws(() => flagsValue(f, "adminPerm" as unknown as string[]), TypeError);
  assert.throws(() => flagsValue(f, [2 ** 32]), RangeError);
  assert.throws(() => flagsList(f, -1), { name: "RangeError", message: /does not fit in u32/ });
  assert.throws(() => flagsList(f, 1.5), TypeError);
  assert.throws(() => flagsList(t.flags(t.u64(), values), -1n), RangeError);
  assert.throws(() => flagsList(t.flags(t.u64(), values), 2 ** 64), TypeError);
  assert.deepEqual(flagsList(t.flags(t.s32(), values), -1).slice(0, 3), [
    "adminPerm",
    "cmdCapDo",
    "cmdCapDump",
  ]);
});
