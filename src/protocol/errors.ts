/**
 * The error classes of nlts. Each failure has one class, so callers can tell them apart:
 *
 * - {@link NetlinkError}: the kernel answered a request with an error (NLMSG_ERROR).
 * - {@link SyscallError}: a libc call failed (socket, bind, sendmsg, ...).
 * - {@link DecodeError}: bytes did not parse (always with a byte offset).
 * - {@link DumpInterruptedError}: a dump was inconsistent (NLM_F_DUMP_INTR); it carries what was read.
 *
 * Bad arguments raise the built-in `TypeError` / `RangeError`.
 *
 * @module
 */

import { ERRNO, errnoMessage, errnoName } from "./errno.ts";

/**
 * Extended acknowledgement details returned by the kernel with an error or a warning.
 */
export interface ExtAck {
  /** Human readable message (`NLMSGERR_ATTR_MSG`), e.g. "no device matches name". */
  message?: string;
  /** Byte offset of the offending attribute in the request (`NLMSGERR_ATTR_OFFS`). */
  offset?: number;
  /** The request's attribute path at {@link ExtAck.offset}, e.g. `.header.dev-name`, when known. */
  attributePath?: string;
  /** Subsystem specific cookie (`NLMSGERR_ATTR_COOKIE`). */
  cookie?: Uint8Array;
  /** Raw policy of the rejected attribute (`NLMSGERR_ATTR_POLICY`), a nest of NL_POLICY_TYPE_ATTR_*. */
  policy?: Uint8Array;
  /** Type of a missing required attribute (`NLMSGERR_ATTR_MISS_TYPE`). */
  missingType?: number;
  /** Name of the missing attribute, when the request's schema knows it. */
  missingName?: string;
  /** Offset of the nest in which an attribute was missing (`NLMSGERR_ATTR_MISS_NEST`). */
  missingNest?: number;
}

/** Options of {@link NetlinkError}. */
export interface NetlinkErrorOptions {
  /** The operation, e.g. "nlctrl.getfamily" or "RTM_GETLINK". */
  operation?: string;
  /** Sequence number of the request. */
  seq?: number;
  /** Extended ack, when the kernel sent one. */
  extAck?: ExtAck;
  /** Extra hint appended to the message (e.g. which module to load). */
  hint?: string;
}

/**
 * The kernel answered a request with an error: `NLMSG_ERROR` with a negative errno, or an error
 * carried in a dump's `NLMSG_DONE`.
 *
 * @example
 * ```ts
 * import { ERRNO, NetlinkError } from "@nlts/netlink";
 * try {
 *   throw new NetlinkError(ERRNO.ENODEV, { operation: "ethtool.linkinfo-get", extAck: { message: "no device matches name" } });
 * } catch (e) {
 *   if (e instanceof NetlinkError && e.code === "ENODEV") console.log(e.extAck?.message);
 * }
 * ```
 */
export class NetlinkError extends Error {
  /** Positive errno value, e.g. 2. */
  readonly errno: number;
  /** Errno name, e.g. "ENOENT". */
  readonly code: string;
  /** Operation that failed, e.g. "nlctrl.getfamily". */
  readonly operation: string;
  /** Sequence number of the failed request (0 when unknown). */
  readonly seq: number;
  /** Extended ack details, when the kernel sent them. */
  readonly extAck: ExtAck | undefined;

  /** Creates an error for a positive errno value. */
  constructor(errno: number, options: NetlinkErrorOptions = {}) {
    const code = errnoName(errno);
    const op = options.operation ?? "netlink request";
    let msg = `Cannot ${op}: ${code} (${errnoMessage(errno)})`;
    if (options.extAck?.message) msg += `: ${options.extAck.message}`;
    if (options.extAck?.attributePath) msg += ` (bad attribute: ${options.extAck.attributePath})`;
    else if (options.extAck?.missingName) {
      msg += ` (missing attribute: ${options.extAck.missingName})`;
    } else if (options.extAck?.missingType !== undefined) {
      msg += ` (missing attribute type ${options.extAck.missingType})`;
    }
    if (options.hint) msg += `. ${options.hint}`;
    else if (errno === ERRNO.EPERM || errno === ERRNO.EACCES) {
      msg += ". This operation needs CAP_NET_ADMIN (run as root)";
    }
    super(msg);
    this.name = "NetlinkError";
    this.errno = errno;
    this.code = code;
    this.operation = op;
    this.seq = options.seq ?? 0;
    this.extAck = options.extAck;
  }
}

/**
 * A libc call failed. Carries the call's name, errno and errno name.
 *
 * @example
 * ```ts
 * import { ERRNO, SyscallError } from "@nlts/netlink";
 * const e = new SyscallError("bind", ERRNO.EADDRINUSE);
 * console.log(e.code); // "EADDRINUSE"
 * ```
 */
export class SyscallError extends Error {
  /** The libc function, e.g. "bind". */
  readonly syscall: string;
  /** Positive errno value. */
  readonly errno: number;
  /** Errno name, e.g. "EADDRINUSE". */
  readonly code: string;

  /** Creates an error for `syscall` failing with `errno`; `detail` is added to the message. */
  constructor(syscall: string, errno: number, detail?: string) {
    const code = errnoName(errno);
    let msg = `Cannot ${syscall}: ${code} (${errnoMessage(errno)})`;
    if (detail) msg += `: ${detail}`;
    super(msg);
    this.name = "SyscallError";
    this.syscall = syscall;
    this.errno = errno;
    this.code = code;
  }
}

/**
 * Bytes that do not parse. `offset` is the byte offset in the decoded buffer, `path` the
 * attribute path (e.g. `ctrl.ops[3].flags`) when known.
 *
 * @example
 * ```ts
 * import { DecodeError } from "@nlts/netlink";
 * const e = new DecodeError("attribute length 2 is shorter than its header", 20, "ctrl.family-name");
 * console.log(e.offset, e.path);
 * ```
 */
export class DecodeError extends SyntaxError {
  /** Byte offset where decoding failed. */
  readonly offset: number;
  /** Attribute path, or "" when not known. */
  readonly path: string;

  /** Creates a decode error at `offset` (and attribute `path`). */
  constructor(reason: string, offset: number, path = "") {
    super(`Cannot decode${path ? ` ${path}` : ""} at byte ${offset}: ${reason}`);
    this.name = "DecodeError";
    this.offset = offset;
    this.path = path;
  }
}

/**
 * A dump returned NLM_F_DUMP_INTR: the kernel's data changed while it was dumped, so the result
 * may be inconsistent. `partial` holds everything that was read; the caller may retry.
 *
 * @example
 * ```ts
 * import { DumpInterruptedError } from "@nlts/netlink";
 * const e = new DumpInterruptedError("RTM_GETLINK", [1, 2]);
 * console.log(e.partial.length); // 2
 * ```
 */
export class DumpInterruptedError<T = unknown> extends Error {
  /** Messages (or decoded objects) received before the dump ended. */
  readonly partial: T[];
  /** The dump operation. */
  readonly operation: string;

  /** Creates the error for `operation` with what was read. */
  constructor(operation: string, partial: T[]) {
    super(
      `Cannot complete ${operation} dump: the kernel's data changed during the dump (NLM_F_DUMP_INTR); retry it`,
    );
    this.name = "DumpInterruptedError";
    this.operation = operation;
    this.partial = partial;
  }
}
