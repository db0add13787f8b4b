// Runs doc examples in one process, one after the other (examples_run_test.ts starts it):
// argv[2] is a JSON file listing { id, file }; each file is imported and awaited, with its
// console output dropped, and one line `@@example {"id", "ok", "error"?}` is printed per
// example. An example that runs over the time limit is reported as such and ends the process
// (the caller goes on with the rest in a new one).
import { readFileSync } from "node:fs";
import { setTracing } from "../../mod.ts";

const list = JSON.parse(readFileSync(process.argv[2], "utf8")) as { id: number; file: string }[];
const limitMs = Number(process.argv[3] ?? 20000);
const report = (r: { id: number; ok: boolean; error?: string; timedOut?: boolean }) =>
  process.stdout.write(`@@example ${JSON.stringify(r)}\n`);

let current = -1;
let late: unknown;
process.on("unhandledRejection", (e) => late ??= e);
const quiet = () => {};
const original = { log: console.log, info: console.info, error: console.error, warn: console.warn };

for (const { id, file } of list) {
  current = id;
  late = undefined;
  Object.assign(console, { log: quiet, info: quiet, error: quiet, warn: quiet });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      import(file),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("@@timeout")), limitMs);
      }),
    ]);
    await new Promise((r) => setTimeout(r, 0));
    if (late !== undefined) throw late;
    report({ id, ok: true });
  } catch (e) {
    const timedOut = e instanceof Error && e.message === "@@timeout";
    const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    report({ id, ok: false, error, timedOut });
    if (timedOut) process.exit(3);
  } finally {
    clearTimeout(timer);
    Object.assign(console, original);
    setTracing(false);
  }
}
void current;
process.exit(0);
