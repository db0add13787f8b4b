/**
 * Progress of long CLI work on standard error, drawn only when standard error is a terminal
 * (`add-flows` of a large file, a dump written to a file). The bar itself is the `cli-progress`
 * package's; this module gives it the CLI's output function for a stream and keeps lines the
 * command prints meanwhile (a failed flow) from being overwritten by the bar.
 *
 * @module
 */
// @ts-types="npm:@types/cli-progress@^3.11.6"
import cliProgress from "cli-progress";
import type { CliIO } from "./common.ts";

/** Progress of one piece of work: call {@link Progress.update} as it goes, `stop` at the end. */
export interface Progress {
  /** Says how many items are done and how many failed so far (redrawn at most 10 times a second). */
  update(done: number, errors?: number): void;
  /** Prints one line of text (with its newline) to standard error without breaking the bar. */
  log(line: string): void;
  /** Draws the last state and clears the bar's line. */
  stop(): void;
}

/** What {@link startProgress} needs to know of the work. */
export interface ProgressOptions {
  /** What is counted, plural ("flows"). */
  unit: string;
  /** How many items there will be, when known (a bar is drawn), or undefined (a count only). */
  total?: number;
  /** Whether failures are counted ("N errors" is shown). */
  errors?: boolean;
  /** Clock in milliseconds (tests pass their own). Default `Date.now`. */
  now?: () => number;
  /** Least time between two drawings, in milliseconds. Default 100. */
  throttleMs?: number;
}

/**
 * Starts a progress line on standard error when `io.errIsTerminal` says it is a terminal, or
 * returns undefined (nothing is drawn when standard error is a file or a pipe). The line shows
 * the items done (of the total when known), the rate per second and, with `errors`, the failures
 * so far.
 *
 * @example
 * ```ts
 * import { startProgress } from "./progress.ts";
 * const io = {
 *   out: (s: string) => console.log(s),
 *   err: (s: string) => console.error(s),
 *   signal: new AbortController().signal,
 *   errIsTerminal: false,
 * };
 * const p = startProgress(io, { unit: "flows", total: 1000, errors: true });
 * for (let i = 0; i <= 1000; i += 100) p?.update(i, 0);
 * p?.stop();
 * ```
 */
export function startProgress(io: CliIO, options: ProgressOptions): Progress | undefined {
  if (io.errIsTerminal !== true) return undefined;
  const now = options.now ?? Date.now;
  const throttleMs = options.throttleMs ?? 100;
  const total = options.total;
  const started = now();
  // cli-progress writes to a Node-style stream; the CLI's own writer stands in for it (one
  // path to standard error under Deno, Bun and the compiled binary).
  const stream = {
    isTTY: true,
    columns: io.errColumns ?? 80,
    write(s: string): boolean {
      io.err(s);
      return true;
    },
    on(): void {},
    removeListener(): void {},
  };
  const format =
    (total === undefined ? `{value} ${options.unit}` : `{bar} {value}/{total} ${options.unit}`) +
    " | {rate}/s" + (options.errors ? " | {errors} errors" : "");
  const newBar = () =>
    new cliProgress.SingleBar({
      // deno-lint-ignore no-explicit-any
      stream: stream as any,
      format,
      barsize: 24,
      hideCursor: false,
      clearOnComplete: true,
      linewrap: false,
      fps: 1000 / throttleMs,
      synchronousUpdate: true,
      gracefulExit: false,
    }, cliProgress.Presets.shades_classic);
  let bar = newBar();
  let done = 0;
  let errors = 0;
  const payload = () => {
    const s = (now() - started) / 1000;
    return { rate: s > 0 ? Math.round(done / s) : 0, errors };
  };
  bar.start(total ?? 0, 0, payload());
  let last = now();
  return {
    update(d: number, e?: number): void {
      done = d;
      if (e !== undefined) errors = e;
      const t = now();
      if (t - last < throttleMs) return;
      last = t;
      bar.update(done, payload());
      bar.render();
    },
    log(line: string): void {
      // The bar saves the cursor where it starts and returns there when it stops: stop it
      // (clearing its line), print, and draw a new one below.
      bar.stop();
      io.err(line.endsWith("\n") ? line : line + "\n");
      bar = newBar();
      bar.start(total ?? 0, done, payload());
    },
    stop(): void {
      bar.update(done, payload());
      bar.stop();
    },
  };
}
