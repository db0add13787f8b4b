/**
 * Prints the attribute policy a family's operation enforces (CTRL_CMD_GETPOLICY): which
 * attributes the kernel accepts, their types and limits. Run:
 *
 *   deno run --allow-ffi examples/family_policy.ts nlctrl 3
 *   bun examples/family_policy.ts ethtool
 *
 * @module
 */
import { Controller } from "../src/genl/mod.ts";

const args = (globalThis as { Deno?: { args: string[] } }).Deno?.args ??
  (globalThis as unknown as { process: { argv: string[] } }).process.argv.slice(2);
const [family = "nlctrl", op] = args;

using ctrl = Controller.open();
const policy = await ctrl.getPolicy(family, op === undefined ? {} : { op: Number(op) });
for (const [cmd, uses] of policy.ops) {
  console.log(`cmd ${cmd}: do=${uses.do ?? "-"} dump=${uses.dump ?? "-"}`);
}
for (const [index, attrs] of policy.policies) {
  console.log(`policy ${index}:`);
  for (const a of attrs) {
    const limits = [
      a.maxLength !== undefined ? `max-len=${a.maxLength}` : "",
      a.minValueU !== undefined ? `min=${a.minValueU}` : "",
      a.maxValueU !== undefined ? `max=${a.maxValueU}` : "",
      a.policyIdx !== undefined ? `nested=policy ${a.policyIdx}` : "",
    ].filter(Boolean).join(" ");
    console.log(`  attr ${a.attr}: ${a.type}${limits ? ` ${limits}` : ""}`);
  }
}
