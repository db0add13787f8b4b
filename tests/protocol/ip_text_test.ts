// IPv6 text (fmtIpv6, RFC 5952) against an independent formatter: the WHATWG URL parser's
// canonical host form, which compresses the same zero run the same way (the first of the
// longest, two groups at least) in lower-case hex. IPv4-mapped addresses, which RFC 5952 keeps
// as a dotted quad and URL does not, are checked against their own rule. Every address is
// formatted twice, once fresh and once from the cache of recent addresses, then with a suffix
// (a route destination's "/len", formatted fresh), and addresses that share a cache slot are
// checked not to be confused.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fmtIpv4, fmtIpv6 } from "../../src/protocol/schema_addr.ts";

function reference(b: Uint8Array, o: number): string {
  const w: string[] = [];
  for (let i = 0; i < 8; i++) w.push(((b[o + 2 * i] << 8) | b[o + 2 * i + 1]).toString(16));
  return new URL(`http://[${w.join(":")}]/`).hostname.slice(1, -1);
}

test("fmtIpv6: RFC 5952 text, fresh and cached, for random addresses", () => {
  let seed = 0x9e3779b9;
  const rnd = (n: number) => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const b = new Uint8Array(19);
  const seen = new Map<string, string>();
  for (let i = 0; i < 50_000; i++) {
    // mostly zero bytes, so that runs of zero groups of every length and place come up
    for (let j = 0; j < b.length; j++) b[j] = rnd(3) === 0 ? rnd(256) : 0;
    const o = rnd(4);
    const mapped = rnd(8) === 0;
    if (mapped) {
      b.fill(0, o, o + 10);
      b[o + 10] = b[o + 11] = 0xff;
    }
    const want = mapped ? `::ffff:${fmtIpv4(b, o + 12)}` : reference(b, o);
    assert.equal(fmtIpv6(b, o), want, `bytes ${b.subarray(o, o + 16)}`);
    assert.equal(fmtIpv6(b, o), want, `bytes ${b.subarray(o, o + 16)} (cached)`);
    // a route's destination: the text and its suffix, made fresh (the cache's entry unchanged)
    const suffix = `/${rnd(129)}`;
    assert.equal(fmtIpv6(b, o, suffix), want + suffix, `bytes ${b.subarray(o, o + 16)}${suffix}`);
    assert.equal(fmtIpv6(b, o), want, `bytes ${b.subarray(o, o + 16)} (cached, after a suffix)`);
    // a suffix longer than the formatter's arrays hold (texts of every length 1-47 come first)
    const long = ` (suffix ${"x".repeat(rnd(12))})`;
    assert.equal(fmtIpv6(b, o, long), want + long, `bytes ${b.subarray(o, o + 16)}${long}`);
    seen.set(Array.from(b.subarray(o, o + 16)).join(","), want);
  }
  // formatted again long after: the cache holds other addresses by now, or these
  for (const [key, want] of seen) {
    assert.equal(fmtIpv6(new Uint8Array(key.split(",").map(Number)), 0), want);
  }
});

test("fmtIpv4: dotted quads of sorted and interleaved /24s, fresh and cached", () => {
  const b = new Uint8Array(4);
  const text = (a: number, x: number, y: number, z: number) => {
    b.set([a, x, y, z]);
    return fmtIpv4(b, 0);
  };
  // a table dump's order (one /24 after another), then /24s taking turns, then edge values
  for (let y = 0; y < 3; y++) {
    for (let z = 0; z < 256; z += 17) assert.equal(text(11, 0, y, z), `11.0.${y}.${z}`);
  }
  for (let i = 0; i < 64; i++) {
    const y = i % 3;
    assert.equal(text(10, y, y, i), `10.${y}.${y}.${i}`);
    assert.equal(text(192, 168, 255 - y, i), `192.168.${255 - y}.${i}`);
  }
  assert.equal(text(0, 0, 0, 0), "0.0.0.0");
  assert.equal(text(255, 255, 255, 255), "255.255.255.255");
  assert.equal(text(0, 0, 1, 0), "0.0.1.0"); // same last byte and top bits as 0.0.0.0
  assert.equal(text(1, 0, 0, 0), "1.0.0.0");
});
