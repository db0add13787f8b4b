/**
 * Shared pieces of the `nlts` command line: output, usage errors, exit codes, JSON encoding.
 *
 * @module
 */

import { DecodeError, NetlinkError, SyscallError } from "../protocol/errors.ts";

/** Where a command writes. Tests pass collectors; the binary passes stdout/stderr. */
export interface CliIO {
  /** Writes text to standard output (no newline added). */
  out(text: string): void;
  /** Writes text to standard error (no newline added). */
  err(text: string): void;
  /** Aborted on Ctrl-C (SIGINT) so long-running commands end cleanly. */
  signal: AbortSignal;
}

/** A usage error: the command line is wrong (exit status 2). */
export class UsageError extends Error {
  /** Creates a usage error with the text to print. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Exit statuses of `nlts`. */
export const EXIT = { OK: 0, ERROR: 1, USAGE: 2 } as const;

/** A sub-command: returns its exit status. */
export type Command = (args: string[], io: CliIO) => Promise<number>;

/** JSON.stringify replacer: bigint -> number when safe (else string), bytes -> hex. */
export function jsonReplacer(_key: string, v: unknown): unknown {
  if (typeof v === "bigint") {
    return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(v)
      : v.toString();
  }
  if (v instanceof Uint8Array) return [...v].map((b) => b.toString(16).padStart(2, "0")).join("");
  if (v instanceof Map) return Object.fromEntries(v);
  return v;
}

/** Formats a value as JSON the way every `--json` output does. */
export function toJson(v: unknown, pretty = true): string {
  return JSON.stringify(v, jsonReplacer, pretty ? 2 : undefined) + "\n";
}

/**
 * Runs a command and maps failures to exit statuses: usage errors print the message (2),
 * kernel/syscall/decode errors print one line on stderr (1).
 */
export async function runCommand(cmd: Command, args: string[], io: CliIO): Promise<number> {
  try {
    return await cmd(args, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`nlts: ${e.message}\n`);
      return EXIT.USAGE;
    }
    if (e instanceof NetlinkError || e instanceof SyscallError || e instanceof DecodeError) {
      io.err(`nlts: ${e.message}\n`);
      return EXIT.ERROR;
    }
    if (e instanceof TypeError && /parseArgs|Unknown option|Option '/.test(`${e.message}`)) {
      io.err(`nlts: ${e.message}\n`);
      return EXIT.USAGE;
    }
    if (e instanceof Error && (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      io.err(`nlts: ${e.message}\n`);
      return EXIT.USAGE;
    }
    io.err(`nlts: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT.ERROR;
  }
}
