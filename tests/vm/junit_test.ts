/**
 * Counting of JUnit reports (tests/vm/_junit.ts) on fixtures shaped like what Deno 2.9 and
 * Bun 1.4 write for the same file: pass, fail, skip, a describe block and a test with a step.
 * Pure: runs on the host and in the guest alike.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { countJunit, parseJunit, unescapeXml } from "./_junit.ts";

const DENO_REPORT = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="deno test" tests="8" failures="3" errors="0" time="0.016">
    <testsuite name="./a_test.ts" tests="6" disabled="1" errors="0" failures="2">
        <testcase name="passes" classname="./a_test.ts" time="0.001" line="3" col="1">
        </testcase>
        <testcase name="fails &lt;&amp;&gt;" classname="./a_test.ts" time="0.001" line="4" col="1">
            <failure message="Uncaught AssertionError: Expected values to be strictly equal:

1 !== 2
">AssertionError: Expected values to be strictly equal:</failure>
        </testcase>
        <testcase name="skipped" classname="./a_test.ts" time="0.000" line="5" col="1">
            <skipped/>
        </testcase>
        <testcase name="group" classname="./a_test.ts" time="0.002" line="6" col="1">
            <failure message="1 test step failed">1 test step failed.</failure>
        </testcase>
        <testcase name="with steps" classname="./a_test.ts" time="0.001" line="10" col="1">
        </testcase>
        <testcase name="with steps &gt; step1" classname="./a_test.ts" time="0.000" line="10" col="43">
        </testcase>
    </testsuite>
    <testsuite name="ext:deno_node/testing.ts" tests="2" disabled="0" errors="0" failures="1">
        <testcase name="group &gt; inner pass" classname="ext:deno_node/testing.ts" time="0.000" line="1" col="23191">
        </testcase>
        <testcase name="group &gt; inner fail" classname="ext:deno_node/testing.ts" time="0.000" line="1" col="21231">
            <failure message="Uncaught Error: boom">Error: boom</failure>
        </testcase>
    </testsuite>
</testsuites>
`;

const BUN_REPORT = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="bun test" tests="6" assertions="0" failures="2" skipped="1" time="0.026676115">
  <testsuite name="a_test.ts" file="a_test.ts" tests="6" assertions="0" failures="2" skipped="1" time="0.0235" hostname="vm">
    <testcase name="passes" classname="" time="0.001173" file="a_test.ts" line="3" assertions="0" />
    <testcase name="fails &lt;&amp;&gt;" classname="" time="0.001371" file="a_test.ts" line="4" assertions="0">
      <failure type="AssertionError" message="Expected values to be strictly equal:&#10;&#10;1 !== 2&#10;">AssertionError</failure>
    </testcase>
    <testcase name="skipped" classname="" time="0" file="a_test.ts" line="5" assertions="0">
      <skipped />
    </testcase>
    <testsuite name="group" file="a_test.ts" line="6" tests="2" assertions="0" failures="1" skipped="0" time="0" hostname="vm">
      <testcase name="inner pass" classname="group" time="0.000099" file="a_test.ts" line="7" assertions="0" />
      <testcase name="inner fail" classname="group" time="0.000141" file="a_test.ts" line="8" assertions="0">
        <failure type="Error" message="boom">Error: boom</failure>
      </testcase>
    </testsuite>
    <testcase name="with steps" classname="" time="0.000413" file="a_test.ts" line="10" assertions="0" />
  </testsuite>
</testsuites>
`;

test("junit: unescapes entities and character references", () => {
  assert.equal(
    unescapeXml("a &lt;&amp;&gt; &quot;b&quot; &#10;&#x41;&nbsp;"),
    'a <&> "b" \nA&nbsp;',
  );
});

test("junit: lists Deno's testcases with their status", () => {
  const cases = parseJunit(DENO_REPORT);
  assert.deepEqual(
    cases.map((c) => [c.name, c.status]),
    [
      ["passes", "passed"],
      ["fails <&>", "failed"],
      ["skipped", "skipped"],
      ["group", "failed"],
      ["with steps", "passed"],
      ["with steps > step1", "passed"],
      ["group > inner pass", "passed"],
      ["group > inner fail", "failed"],
    ],
  );
  assert.equal(cases[1].message, "Uncaught AssertionError: Expected values to be strictly equal:");
});

test("junit: counts Deno's leaves, not describe blocks or step parents", () => {
  const { passed, failed, skipped, failures } = countJunit(DENO_REPORT);
  assert.deepEqual({ passed, failed, skipped }, { passed: 3, failed: 2, skipped: 1 });
  assert.deepEqual(failures.map((f) => f.name), ["fails <&>", "group > inner fail"]);
});

test("junit: counts Bun's nested suites the same way", () => {
  const { passed, failed, skipped, failures } = countJunit(BUN_REPORT);
  assert.deepEqual({ passed, failed, skipped }, { passed: 3, failed: 2, skipped: 1 });
  assert.deepEqual(failures.map((f) => f.name), ["fails <&>", "inner fail"]);
});

test("junit: a parent that failed on its own still counts", () => {
  const xml = `<testsuites><testsuite name="x">
    <testcase name="outer" classname="x"><failure message="after steps"/></testcase>
    <testcase name="outer &gt; step" classname="x"></testcase>
  </testsuite></testsuites>`;
  const { passed, failed } = countJunit(xml);
  assert.deepEqual({ passed, failed }, { passed: 1, failed: 1 });
});

test("junit: an empty report counts nothing", () => {
  assert.deepEqual(countJunit(`<testsuites name="deno test" tests="0"></testsuites>`), {
    passed: 0,
    failed: 0,
    skipped: 0,
    failures: [],
  });
});
