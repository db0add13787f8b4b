// Progress lines of long CLI work (src/cli/progress.ts): drawn on standard error only when it is
// a terminal, with the count, total, rate and errors; lines printed meanwhile stay whole; the bar's
// line is cleared at the end. The CLI's use of it (add-flows, dump-flows to a file) is checked
// through a pseudo-terminal in tests/ovs/flow_cli_test.ts (it needs the openvswitch module).
import { test } from "node:test";
import assert from "node:assert/strict";
import { startProgress } from "../../src/cli/progress.ts";

function fakeIo(errIsTerminal: boolean | undefined) {
  let err = "";
  return {
    io: {
      out: (_: string) => {},
      err: (s: string) => (err += s),
      signal: new AbortController().signal,
      errIsTerminal,
      errColumns: 100,
    },
    err: () => err,
  };
}

// deno-lint-ignore no-control-regex
const CLEARED = /\x1b\[[02]?K$/;
// deno-lint-ignore no-control-regex
const plain = (s: string) => s.replace(/\x1b(\[[0-9;?]*[A-Za-z]|[78])/g, "");

test("progress: nothing is drawn when standard error is not a terminal", () => {
  for (const t of [false, undefined]) {
    const f = fakeIo(t);
    assert.equal(startProgress(f.io, { unit: "flows", total: 10, errors: true }), undefined);
    assert.equal(f.err(), "");
  }
});

test("progress: count of the total, rate and errors, throttled, cleared at the end", () => {
  const f = fakeIo(true);
  let now = 1_000;
  const p = startProgress(f.io, {
    unit: "flows",
    total: 20_000,
    errors: true,
    now: () => now,
    throttleMs: 100,
  });
  assert.ok(p);
  assert.match(plain(f.err()), /0\/20000 flows \| 0\/s \| 0 errors/);
  now += 50;
  const before = f.err().length;
  p.update(500, 0); // within the throttle: not drawn
  assert.equal(f.err().length, before);
  now += 950; // one second after the start
  p.update(10_000, 3);
  assert.match(plain(f.err()), /10000\/20000 flows \| 10000\/s \| 3 errors/);
  now += 1_000;
  p.update(20_000, 4);
  p.stop();
  const text = plain(f.err());
  assert.match(text, /20000\/20000 flows \| 10000\/s \| 4 errors/);
  // The last thing written clears the bar's line (ESC [2K or ESC [0K after moving to column 1).
  assert.match(f.err(), CLEARED);
});

test("progress: a line printed meanwhile is written whole, on its own line", () => {
  const f = fakeIo(true);
  let now = 0;
  const p = startProgress(f.io, { unit: "flows", total: 3, errors: true, now: () => now })!;
  p.update(1, 1);
  p.log("nlts: line 2: Cannot parse flow key at column 9");
  now += 200;
  p.update(3, 1);
  p.stop();
  const raw = f.err();
  assert.ok(raw.includes("nlts: line 2: Cannot parse flow key at column 9\n"), JSON.stringify(raw));
  // The bar is cleared before the line is printed, and drawn again after it.
  const at = raw.indexOf("nlts: line 2");
  assert.match(raw.slice(0, at), CLEARED);
  assert.match(plain(raw.slice(at)), /3\/3 flows/);
});

test("progress: without a total, a count and a rate", () => {
  const f = fakeIo(true);
  let now = 0;
  const p = startProgress(f.io, { unit: "flows", now: () => now })!;
  now = 2_000;
  p.update(4_000);
  p.stop();
  const text = plain(f.err());
  assert.match(text, /4000 flows \| 2000\/s/);
  assert.doesNotMatch(text, /errors|\/undefined|NaN/);
});
