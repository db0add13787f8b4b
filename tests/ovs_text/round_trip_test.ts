// Flow text that survives its own round trip (issue 15, item 7): for every flow the decoder
// accepts, formatFlow's text parses back (parseFlow) and prints the same again; the key and
// the actions alone too. Where ovs-dpctl prints an attribute in a form no parser reads (a
// diagnostic like "frag=<error>", unknown flag bits, "psample()"), nlts prints that attribute
// as its bytes (keyN(...), actionN(...)), which read back to the same bytes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { DecodeError, NetlinkWriter } from "../../src/protocol/mod.ts";
import {
  attr,
  attrsFor,
  concat,
  customPayloads,
  int,
  payloadFor,
} from "../protocol/_schema_gen.ts";
import { prng } from "../protocol/_helpers.ts";
import { randomActions, randomKey, randomMask, Rng } from "./_random.ts";
import { checkFlowRoundTrip } from "./_round_trip.ts";
import {
  type Action,
  type FlowAttrs,
  flowAttrs,
  flowKeyAttrs,
  formatActions,
  formatFlow,
  formatFlowKey,
  OdpParseError,
  parseActions,
  parseFlow,
  parseFlowKey,
} from "./_ovs.ts";

customPayloads.set("set-masked", (rand, depth) => {
  const fields = flowKeyAttrs.fields;
  const f = fields[int(rand, fields.length)];
  // deno-lint-ignore no-explicit-any
  const half = payloadFor(f.codec as any, rand, depth + 1);
  return attr(f.type, concat([half, half]));
});

test("round trip: the cases of the issue", () => {
  // a huge used: in seconds.milliseconds, never an exponent
  const huge = formatFlow({ key: { inPort: 1 }, used: 2n ** 64n - 1n, actions: [] }, {
    now: 1000n,
  });
  assert.doesNotMatch(huge, /e\+/);
  assert.match(huge, /used:-18446744073709550\.615s/);
  assert.ok(parseFlow(huge).usedAgo! < -1e19);
  checkFlowRoundTrip({ key: { inPort: 1 }, used: 2n ** 64n - 1n, actions: [] }, false);
  // an empty key prints <empty>, which parses to an empty key
  assert.equal(
    formatFlow({ key: {}, actions: [] }),
    "<empty>, packets:0, bytes:0, used:never, actions:drop",
  );
  assert.deepEqual(parseFlow("<empty>, packets:0, bytes:0, used:never, actions:drop").key, {});
  assert.deepEqual(parseFlowKey("ufid:8a072d05-00cd-4026-0000-000000000000, <empty>").key, {});
  // a key whose attributes are all wildcarded prints <empty> too
  assert.equal(formatFlowKey({ inPort: 1 }, { inPort: 0, ethertype: 0 }), "<empty>");
  // masked tunnel keys with geneve options
  const geneve = Uint8Array.from([1, 2, 0x80, 1, 0, 0, 0, 10]);
  for (
    const mask of [
      { tunnel: { id: 0xffn, geneveOpts: new Uint8Array(8) } },
      { tunnel: { id: 0n, geneveOpts: Uint8Array.from([0xff, 0xff, 0, 0, 0, 0, 0, 0xff]) } },
      { tunnel: { geneveOpts: Uint8Array.from([0, 0, 0, 0x1f, 0, 0, 0xff, 0xff]) } },
    ]
  ) {
    checkFlowRoundTrip(
      { key: { tunnel: { id: 5n, geneveOpts: geneve } }, mask, actions: [] },
      false,
    );
  }
  // a zero psample cookie prints cookie=0, which parses
  const zero: Action[] = [{ kind: "psample", value: { group: 1, cookie: new Uint8Array(1) } }];
  assert.equal(formatActions(zero), "psample(group=1,cookie=0)");
  assert.deepEqual(parseActions("psample(group=1,cookie=0)"), zero);
  // a NUL in ct(helper=...) or ct(timeout=...) is a parse error with its column
  for (const text of ["ct(helper=ft\0p)", "ct(timeout=t\0)", "ct(commit,helper=\0)"]) {
    assert.throws(
      () => parseActions(text),
      (e) => e instanceof OdpParseError && e.column === text.indexOf("\0") + 1,
      JSON.stringify(text),
    );
  }
  // and a name too long once encoded (UTF-8) is one at the name's column
  assert.throws(
    () => parseActions(`ct(helper=${"é".repeat(8)})`),
    (e) => e instanceof OdpParseError && e.column === 11 && /1 to 15 bytes/.test(e.message),
  );
});

test("round trip: malformed attributes print as their bytes and read back to them", () => {
  const key = {
    ipv4: { src: "10.0.0.1", dst: "10.0.0.2", proto: 6, tos: 0, ttl: 64, frag: 7 },
    ctState: [0x100 as const],
  };
  const t = formatFlowKey(key as never);
  assert.equal(t, "key7(0a 00 00 01 0a 00 00 02 06 00 40 07),key22(00 01 00 00)");
  assert.deepEqual(parseFlowKey(t).key, key);
  const actions: Action[] = [
    { kind: "hash", value: { alg: 9, basis: 1 } },
    { kind: "psample", value: { cookie: new Uint8Array([1]) } },
    { kind: "userspace", value: { pid: 1 } },
  ];
  assert.equal(
    formatActions(actions),
    "action8(09 00 00 00 01 00 00 00),action25(05 00 02 00 01 00 00 00),action2(08 00 01 00 01 00 00 00)",
  );
  assert.deepEqual(parseActions(formatActions(actions)), actions);
});

test("round trip: push_nsh md2 that its hex text would change prints as bytes (leading zero bytes, a length not a multiple of 4, md1 with mdtype 2)", () => {
  const base = { flags: 0, ttl: 63, mdtype: 2, np: 3, pathHdr: 0x100ff };
  const push = (nsh: Record<string, unknown>): Action[] => [
    { kind: "pushNsh", value: { nsh } } as unknown as Action,
  ];
  for (
    const nsh of [
      { base, md2: new Uint8Array([0, 0, 0, 1]) }, // "0x1" would read back as 01 00 00 00
      { base, md2: new Uint8Array([0x10, 0, 0]) }, // "0x100000" would read back padded to 4
      { base, md2: new Uint8Array(0) }, // "0" would read back as no md2
      { base, md1: { context: [1, 2, 3, 4] } }, // md1 is not printed with mdtype 2
    ]
  ) {
    const t = formatActions(push(nsh));
    assert.match(t, /^action17\(/, t);
    assert.deepEqual(parseActions(t), push(nsh));
    checkFlowRoundTrip({ key: {}, actions: push(nsh) }, false);
  }
  // md2 that the text keeps prints as text.
  const kept = push({ base, md2: new Uint8Array([1, 2, 3, 4]) });
  assert.equal(
    formatActions(kept),
    "push_nsh(flags=0,ttl=63,mdtype=2,np=3,spi=0x100,si=255,md2=0x1020304)",
  );
  assert.deepEqual(parseActions(formatActions(kept)), kept);
});

/** A decoded flow: encoded from a random flow object, maybe corrupted, decoded again. */
function decodedFlows(n: number, seed: number): FlowAttrs[] {
  const r = new Rng(seed);
  const rand = prng(seed);
  const out: FlowAttrs[] = [];
  while (out.length < n) {
    const key = randomKey(r);
    const flow: FlowAttrs = r.bool()
      ? { key, mask: randomMask(r, key), actions: randomActions(r) }
      : { key, actions: randomActions(r) };
    if (r.bool(0.3)) flow.stats = { packets: BigInt(r.u32()), bytes: BigInt(r.u32()) };
    if (r.bool(0.3)) flow.tcpFlags = r.int(0x1000);
    const w = new NetlinkWriter();
    let bytes: Uint8Array;
    try {
      flowAttrs.encode(w, flow);
      bytes = w.copy();
    } catch {
      continue; // a random object the encoder refuses: not a decoded flow
    }
    const choice = r.int(3);
    if (choice === 1) {
      for (let k = 1 + r.int(4); k > 0 && bytes.length > 0; k--) {
        bytes[r.int(bytes.length)] = r.u8();
      }
    } else if (choice === 2) {
      // deno-lint-ignore no-explicit-any
      bytes = attrsFor(flowAttrs as any, rand);
    }
    try {
      out.push(flowAttrs.decode(bytes) as FlowAttrs);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
    }
  }
  return out;
}

test("round trip: every flow the decoder accepts prints text that parses back to the same text", () => {
  const r = new Rng(0x7e_47);
  let n = 0;
  for (const flow of decodedFlows(600, 0x7e_47)) {
    checkFlowRoundTrip(flow, r.bool());
    n++;
  }
  assert.equal(n, 600);
});
