// Open vSwitch's own datapath text cases (tests/odp.at, kept outside the repo at
// ../shared/conformance/ovs/odp.at): the file's AT_DATA inputs and sed-built variants are
// rebuilt in TS (_odp_at.ts, _sed.ts) and every `ovstest test-odp` check is replayed:
//   parse-keys     parse -> (userspace flow round trip, see below) -> print (verbose, no mask)
//   parse-wc-keys  parse -> print with the mask (non-verbose)
//   parse-actions  parse -> print
//   parse-filter   the printed lines only (the OpenFlow filter itself is not a datapath feature)
// Each success is checked twice: on the parsed objects and after encode -> netlink bytes ->
// decode. Expected errors must raise OdpParseError.
//
// parse-keys: test-odp converts the key to Open vSwitch's `struct flow` and back before
// printing, which (a) adds the fields every userspace flow has (ct_state(0), ct_zone(0),
// ct_mark(0), ct_label(0), packet_type(ns=0,id=0)), (b) orders attributes as
// odp_flow_key_from_flow does and (c) prefixes "ODP_FIT_TOO_LITTLE: " when the MPLS stack is
// not terminated. `viaUserspaceFlow` below reproduces exactly that on our key objects; every
// character of the output still comes from formatFlowKey. Each parse-keys case is also checked
// without it (parse -> print gives back the input line).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  type Action,
  decodeActions,
  decodeFlowKey,
  encodeActions,
  encodeFlowKey,
  type FlowKey,
  formatActions,
  formatFlowKey,
  OdpParseError,
  parseActions,
  parseFlowKey,
} from "./_ovs.ts";
import { type OdpCheck, odpChecks } from "./_odp_at.ts";

const ODP_AT = fileURLToPath(new URL("../../../shared/conformance/ovs/odp.at", import.meta.url));
const present = existsSync(ODP_AT);
const skip = present
  ? false
  : `odp.at not found at ${ODP_AT} (conformance data is not in the repo)`;

type Obj = Record<string, unknown>;

const FLOW_ORDER = [
  "recircId",
  "dpHash",
  "priority",
  "tunnel",
  "inPort",
  "skbMark",
  "ctState",
  "ctZone",
  "ctMark",
  "ctLabels",
  "ctOrigTupleIpv4",
  "ctOrigTupleIpv6",
  "packetType",
];

/** What test-odp's odp_flow_key_to_flow() + odp_flow_key_from_flow() do to a key. */
function viaUserspaceFlow(key: FlowKey): { key: FlowKey; tooLittle: boolean } {
  const k = key as Obj;
  const defaults: Obj = {
    ctState: [],
    ctZone: 0,
    ctMark: 0,
    ctLabels: new Uint8Array(16),
    packetType: 0,
  };
  const out: Obj = {};
  for (const f of FLOW_ORDER) {
    if (k[f] !== undefined) out[f] = k[f];
    else if (f in defaults) out[f] = defaults[f];
  }
  for (const f of Object.keys(k)) if (!FLOW_ORDER.includes(f)) out[f] = k[f];
  return { key: out as FlowKey, tooLittle: unterminatedMpls(key) };
}

function unterminatedMpls(k: FlowKey): boolean {
  if (k.mpls !== undefined && k.mpls.length > 0 && !((k.mpls[k.mpls.length - 1] >> 8) & 1)) {
    return true;
  }
  return k.encap !== undefined && unterminatedMpls(k.encap);
}

const USERSPACE_ONLY = /userspace datapath; the kernel datapath does not implement it/;

type Outcome =
  | { ok: true; text: string; roundTrip: string; identity?: string }
  | { ok: false; error: Error };

function run(mode: string, line: string): Outcome {
  try {
    switch (mode) {
      case "parse-keys": {
        const { key } = parseFlowKey(line);
        const decoded = decodeFlowKey(encodeFlowKey(key));
        const a = viaUserspaceFlow(key), b = viaUserspaceFlow(decoded);
        const prefix = a.tooLittle ? "ODP_FIT_TOO_LITTLE: " : "";
        return {
          ok: true,
          text: prefix + formatFlowKey(a.key),
          roundTrip: (b.tooLittle ? "ODP_FIT_TOO_LITTLE: " : "") + formatFlowKey(b.key),
          identity: formatFlowKey(key),
        };
      }
      case "parse-wc-keys":
      case "parse-filter": {
        const { key, mask } = parseFlowKey(line);
        const k2 = decodeFlowKey(encodeFlowKey(key)), m2 = decodeFlowKey(encodeFlowKey(mask));
        return {
          ok: true,
          text: formatFlowKey(key, mask, { verbose: false }),
          roundTrip: formatFlowKey(k2, m2, { verbose: false }),
        };
      }
      case "parse-actions": {
        const actions: Action[] = parseActions(line);
        return {
          ok: true,
          text: formatActions(actions),
          roundTrip: formatActions(decodeActions(encodeActions(actions))),
        };
      }
    }
    throw new Error(`unknown mode ${mode}`);
  } catch (e) {
    if (e instanceof OdpParseError) return { ok: false, error: e };
    throw e;
  }
}

interface Tally {
  passed: number;
  skipped: { line: string; why: string }[];
  failed: string[];
}

const totals = new Map<string, Tally>();

function replay(c: OdpCheck): Tally {
  const t: Tally = { passed: 0, skipped: [], failed: [] };
  const expected = c.expected!;
  if (c.mode === "parse-filter") {
    // Only the lines test-odp printed: each must print back unchanged.
    for (const line of expected) {
      const o = run("parse-filter", line);
      if (o.ok && o.text === line && o.roundTrip === line) t.passed++;
      else t.failed.push(`${line}\n  -> ${o.ok ? o.text : o.error.message}`);
    }
    return t;
  }
  // test-odp echoes "#" lines, prints an empty line for blank ones, one line per case.
  assert.equal(expected.length, c.input.length, `${c.section}: output line count`);
  for (let i = 0; i < c.input.length; i++) {
    const line = c.input[i];
    const want = expected[i];
    if (line.startsWith("#")) {
      assert.equal(want, line);
      continue;
    }
    if (line.trim() === "") {
      assert.equal(want, "");
      continue;
    }
    const wantError = /^odp_\w+: error/.test(want) || want === "error";
    const o = run(c.mode, line);
    const short = line.length > 200 ? `${line.slice(0, 120)}... (${line.length} chars)` : line;
    if (wantError) {
      if (!o.ok) t.passed++;
      else t.failed.push(`${short}\n  expected an error, got ${o.text.slice(0, 200)}`);
      continue;
    }
    if (!o.ok) {
      if (USERSPACE_ONLY.test(o.error.message)) {
        t.skipped.push({ line: short, why: "userspace-datapath-only action (rejected)" });
      } else t.failed.push(`${short}\n  -> ${o.error.message}`);
      continue;
    }
    const errs: string[] = [];
    if (o.text !== want) errs.push(`printed ${o.text}`);
    if (o.roundTrip !== want) errs.push(`after encode/decode ${o.roundTrip}`);
    if (o.identity !== undefined && o.identity !== line) errs.push(`plain print ${o.identity}`);
    if (errs.length === 0) t.passed++;
    else t.failed.push(`${short}\n  expected ${want}\n  ${errs.join("\n  ")}`);
  }
  return t;
}

const checks: OdpCheck[] = present ? odpChecks(readFileSync(ODP_AT, "utf8")) : [];

test("odp.at: the file yields the expected checks", { skip }, () => {
  const modes = checks.map((c) => c.mode);
  assert.ok(modes.filter((m) => m === "parse-keys").length >= 3);
  assert.ok(modes.includes("parse-wc-keys"));
  assert.ok(modes.filter((m) => m === "parse-actions").length >= 3);
  assert.ok(modes.filter((m) => m === "parse-filter").length >= 8);
});

const seen = new Map<string, number>();
for (const c of checks) {
  const n = (seen.get(c.section) ?? 0) + 1;
  seen.set(c.section, n);
  const name = `odp.at: ${c.section}${n > 1 ? ` #${n}` : ""} (${c.mode}${
    c.filter ? ` ${c.filter}` : ""
  })`;
  test(name, { skip }, () => {
    const t = replay(c);
    totals.set(name, t);
    assert.deepEqual(t.failed, [], `${t.failed.length} case(s) failed:\n${t.failed.join("\n")}`);
    assert.ok(t.passed > 0 || c.mode === "parse-filter");
  });
}

test("odp.at: summary", { skip }, () => {
  let passed = 0, skipped = 0, failed = 0;
  const why = new Map<string, number>();
  for (const t of totals.values()) {
    passed += t.passed;
    skipped += t.skipped.length;
    failed += t.failed.length;
    for (const s of t.skipped) why.set(s.why, (why.get(s.why) ?? 0) + 1);
  }
  if (envSet("NLTS_ODP_SUMMARY")) {
    console.log(`odp.at cases: ${passed} passed, ${failed} failed, ${skipped} skipped`);
    for (const [w, n] of why) console.log(`  skipped ${n}: ${w}`);
  }
  assert.equal(failed, 0);
});

function envSet(name: string): boolean {
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  return (g.process?.env?.[name] ?? g.Deno?.env?.get?.(name)) !== undefined;
}
