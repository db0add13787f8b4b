/**
 * Linux errno numbers, names and messages (x86_64 and aarch64 both use the asm-generic table).
 * Pure tables: the error classes name errnos with them, the FFI layer re-exports them.
 *
 * Names and numbers follow `<asm-generic/errno-base.h>` and `<asm-generic/errno.h>`; messages
 * are the glibc `strerror()` texts.
 *
 * @module
 */

/**
 * Linux errno numbers by name (`ERRNO.ENOENT === 2`), including the aliases `EWOULDBLOCK`,
 * `EDEADLOCK` and `ENOTSUP`.
 *
 * @example
 * ```ts
 * import { ERRNO } from "@nlts/netlink/protocol";
 * console.log(ERRNO.EAGAIN); // 11
 * ```
 */
export const ERRNO: {
  /** Operation not permitted */
  readonly EPERM: 1;
  /** No such file or directory */
  readonly ENOENT: 2;
  /** No such process */
  readonly ESRCH: 3;
  /** Interrupted system call */
  readonly EINTR: 4;
  /** Input/output error */
  readonly EIO: 5;
  /** No such device or address */
  readonly ENXIO: 6;
  /** Argument list too long */
  readonly E2BIG: 7;
  /** Exec format error */
  readonly ENOEXEC: 8;
  /** Bad file descriptor */
  readonly EBADF: 9;
  /** No child processes */
  readonly ECHILD: 10;
  /** Resource temporarily unavailable */
  readonly EAGAIN: 11;
  /** Cannot allocate memory */
  readonly ENOMEM: 12;
  /** Permission denied */
  readonly EACCES: 13;
  /** Bad address */
  readonly EFAULT: 14;
  /** Block device required */
  readonly ENOTBLK: 15;
  /** Device or resource busy */
  readonly EBUSY: 16;
  /** File exists */
  readonly EEXIST: 17;
  /** Invalid cross-device link */
  readonly EXDEV: 18;
  /** No such device */
  readonly ENODEV: 19;
  /** Not a directory */
  readonly ENOTDIR: 20;
  /** Is a directory */
  readonly EISDIR: 21;
  /** Invalid argument */
  readonly EINVAL: 22;
  /** Too many open files in system */
  readonly ENFILE: 23;
  /** Too many open files */
  readonly EMFILE: 24;
  /** Inappropriate ioctl for device */
  readonly ENOTTY: 25;
  /** Text file busy */
  readonly ETXTBSY: 26;
  /** File too large */
  readonly EFBIG: 27;
  /** No space left on device */
  readonly ENOSPC: 28;
  /** Illegal seek */
  readonly ESPIPE: 29;
  /** Read-only file system */
  readonly EROFS: 30;
  /** Too many links */
  readonly EMLINK: 31;
  /** Broken pipe */
  readonly EPIPE: 32;
  /** Numerical argument out of domain */
  readonly EDOM: 33;
  /** Numerical result out of range */
  readonly ERANGE: 34;
  /** Resource deadlock avoided */
  readonly EDEADLK: 35;
  /** File name too long */
  readonly ENAMETOOLONG: 36;
  /** No locks available */
  readonly ENOLCK: 37;
  /** Function not implemented */
  readonly ENOSYS: 38;
  /** Directory not empty */
  readonly ENOTEMPTY: 39;
  /** Too many levels of symbolic links */
  readonly ELOOP: 40;
  /** Alias of EAGAIN: Resource temporarily unavailable */
  readonly EWOULDBLOCK: 11;
  /** No message of desired type */
  readonly ENOMSG: 42;
  /** Identifier removed */
  readonly EIDRM: 43;
  /** Channel number out of range */
  readonly ECHRNG: 44;
  /** Level 2 not synchronized */
  readonly EL2NSYNC: 45;
  /** Level 3 halted */
  readonly EL3HLT: 46;
  /** Level 3 reset */
  readonly EL3RST: 47;
  /** Link number out of range */
  readonly ELNRNG: 48;
  /** Protocol driver not attached */
  readonly EUNATCH: 49;
  /** No CSI structure available */
  readonly ENOCSI: 50;
  /** Level 2 halted */
  readonly EL2HLT: 51;
  /** Invalid exchange */
  readonly EBADE: 52;
  /** Invalid request descriptor */
  readonly EBADR: 53;
  /** Exchange full */
  readonly EXFULL: 54;
  /** No anode */
  readonly ENOANO: 55;
  /** Invalid request code */
  readonly EBADRQC: 56;
  /** Invalid slot */
  readonly EBADSLT: 57;
  /** Alias of EDEADLK: Resource deadlock avoided */
  readonly EDEADLOCK: 35;
  /** Bad font file format */
  readonly EBFONT: 59;
  /** Device not a stream */
  readonly ENOSTR: 60;
  /** No data available */
  readonly ENODATA: 61;
  /** Timer expired */
  readonly ETIME: 62;
  /** Out of streams resources */
  readonly ENOSR: 63;
  /** Machine is not on the network */
  readonly ENONET: 64;
  /** Package not installed */
  readonly ENOPKG: 65;
  /** Object is remote */
  readonly EREMOTE: 66;
  /** Link has been severed */
  readonly ENOLINK: 67;
  /** Advertise error */
  readonly EADV: 68;
  /** Srmount error */
  readonly ESRMNT: 69;
  /** Communication error on send */
  readonly ECOMM: 70;
  /** Protocol error */
  readonly EPROTO: 71;
  /** Multihop attempted */
  readonly EMULTIHOP: 72;
  /** RFS specific error */
  readonly EDOTDOT: 73;
  /** Bad message */
  readonly EBADMSG: 74;
  /** Value too large for defined data type */
  readonly EOVERFLOW: 75;
  /** Name not unique on network */
  readonly ENOTUNIQ: 76;
  /** File descriptor in bad state */
  readonly EBADFD: 77;
  /** Remote address changed */
  readonly EREMCHG: 78;
  /** Can not access a needed shared library */
  readonly ELIBACC: 79;
  /** Accessing a corrupted shared library */
  readonly ELIBBAD: 80;
  /** .lib section in a.out corrupted */
  readonly ELIBSCN: 81;
  /** Attempting to link in too many shared libraries */
  readonly ELIBMAX: 82;
  /** Cannot exec a shared library directly */
  readonly ELIBEXEC: 83;
  /** Invalid or incomplete multibyte or wide character */
  readonly EILSEQ: 84;
  /** Interrupted system call should be restarted */
  readonly ERESTART: 85;
  /** Streams pipe error */
  readonly ESTRPIPE: 86;
  /** Too many users */
  readonly EUSERS: 87;
  /** Socket operation on non-socket */
  readonly ENOTSOCK: 88;
  /** Destination address required */
  readonly EDESTADDRREQ: 89;
  /** Message too long */
  readonly EMSGSIZE: 90;
  /** Protocol wrong type for socket */
  readonly EPROTOTYPE: 91;
  /** Protocol not available */
  readonly ENOPROTOOPT: 92;
  /** Protocol not supported */
  readonly EPROTONOSUPPORT: 93;
  /** Socket type not supported */
  readonly ESOCKTNOSUPPORT: 94;
  /** Operation not supported */
  readonly EOPNOTSUPP: 95;
  /** Alias of EOPNOTSUPP: Operation not supported */
  readonly ENOTSUP: 95;
  /** Protocol family not supported */
  readonly EPFNOSUPPORT: 96;
  /** Address family not supported by protocol */
  readonly EAFNOSUPPORT: 97;
  /** Address already in use */
  readonly EADDRINUSE: 98;
  /** Cannot assign requested address */
  readonly EADDRNOTAVAIL: 99;
  /** Network is down */
  readonly ENETDOWN: 100;
  /** Network is unreachable */
  readonly ENETUNREACH: 101;
  /** Network dropped connection on reset */
  readonly ENETRESET: 102;
  /** Software caused connection abort */
  readonly ECONNABORTED: 103;
  /** Connection reset by peer */
  readonly ECONNRESET: 104;
  /** No buffer space available */
  readonly ENOBUFS: 105;
  /** Transport endpoint is already connected */
  readonly EISCONN: 106;
  /** Transport endpoint is not connected */
  readonly ENOTCONN: 107;
  /** Cannot send after transport endpoint shutdown */
  readonly ESHUTDOWN: 108;
  /** Too many references: cannot splice */
  readonly ETOOMANYREFS: 109;
  /** Connection timed out */
  readonly ETIMEDOUT: 110;
  /** Connection refused */
  readonly ECONNREFUSED: 111;
  /** Host is down */
  readonly EHOSTDOWN: 112;
  /** No route to host */
  readonly EHOSTUNREACH: 113;
  /** Operation already in progress */
  readonly EALREADY: 114;
  /** Operation now in progress */
  readonly EINPROGRESS: 115;
  /** Stale file handle */
  readonly ESTALE: 116;
  /** Structure needs cleaning */
  readonly EUCLEAN: 117;
  /** Not a XENIX named type file */
  readonly ENOTNAM: 118;
  /** No XENIX semaphores available */
  readonly ENAVAIL: 119;
  /** Is a named type file */
  readonly EISNAM: 120;
  /** Remote I/O error */
  readonly EREMOTEIO: 121;
  /** Disk quota exceeded */
  readonly EDQUOT: 122;
  /** No medium found */
  readonly ENOMEDIUM: 123;
  /** Wrong medium type */
  readonly EMEDIUMTYPE: 124;
  /** Operation canceled */
  readonly ECANCELED: 125;
  /** Required key not available */
  readonly ENOKEY: 126;
  /** Key has expired */
  readonly EKEYEXPIRED: 127;
  /** Key has been revoked */
  readonly EKEYREVOKED: 128;
  /** Key was rejected by service */
  readonly EKEYREJECTED: 129;
  /** Owner died */
  readonly EOWNERDEAD: 130;
  /** State not recoverable */
  readonly ENOTRECOVERABLE: 131;
  /** Operation not possible due to RF-kill */
  readonly ERFKILL: 132;
  /** Memory page has hardware error */
  readonly EHWPOISON: 133;
} = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EINTR: 4,
  EIO: 5,
  ENXIO: 6,
  E2BIG: 7,
  ENOEXEC: 8,
  EBADF: 9,
  ECHILD: 10,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  ENOTBLK: 15,
  EBUSY: 16,
  EEXIST: 17,
  EXDEV: 18,
  ENODEV: 19,
  ENOTDIR: 20,
  EISDIR: 21,
  EINVAL: 22,
  ENFILE: 23,
  EMFILE: 24,
  ENOTTY: 25,
  ETXTBSY: 26,
  EFBIG: 27,
  ENOSPC: 28,
  ESPIPE: 29,
  EROFS: 30,
  EMLINK: 31,
  EPIPE: 32,
  EDOM: 33,
  ERANGE: 34,
  EDEADLK: 35,
  ENAMETOOLONG: 36,
  ENOLCK: 37,
  ENOSYS: 38,
  ENOTEMPTY: 39,
  ELOOP: 40,
  EWOULDBLOCK: 11,
  ENOMSG: 42,
  EIDRM: 43,
  ECHRNG: 44,
  EL2NSYNC: 45,
  EL3HLT: 46,
  EL3RST: 47,
  ELNRNG: 48,
  EUNATCH: 49,
  ENOCSI: 50,
  EL2HLT: 51,
  EBADE: 52,
  EBADR: 53,
  EXFULL: 54,
  ENOANO: 55,
  EBADRQC: 56,
  EBADSLT: 57,
  EDEADLOCK: 35,
  EBFONT: 59,
  ENOSTR: 60,
  ENODATA: 61,
  ETIME: 62,
  ENOSR: 63,
  ENONET: 64,
  ENOPKG: 65,
  EREMOTE: 66,
  ENOLINK: 67,
  EADV: 68,
  ESRMNT: 69,
  ECOMM: 70,
  EPROTO: 71,
  EMULTIHOP: 72,
  EDOTDOT: 73,
  EBADMSG: 74,
  EOVERFLOW: 75,
  ENOTUNIQ: 76,
  EBADFD: 77,
  EREMCHG: 78,
  ELIBACC: 79,
  ELIBBAD: 80,
  ELIBSCN: 81,
  ELIBMAX: 82,
  ELIBEXEC: 83,
  EILSEQ: 84,
  ERESTART: 85,
  ESTRPIPE: 86,
  EUSERS: 87,
  ENOTSOCK: 88,
  EDESTADDRREQ: 89,
  EMSGSIZE: 90,
  EPROTOTYPE: 91,
  ENOPROTOOPT: 92,
  EPROTONOSUPPORT: 93,
  ESOCKTNOSUPPORT: 94,
  EOPNOTSUPP: 95,
  ENOTSUP: 95,
  EPFNOSUPPORT: 96,
  EAFNOSUPPORT: 97,
  EADDRINUSE: 98,
  EADDRNOTAVAIL: 99,
  ENETDOWN: 100,
  ENETUNREACH: 101,
  ENETRESET: 102,
  ECONNABORTED: 103,
  ECONNRESET: 104,
  ENOBUFS: 105,
  EISCONN: 106,
  ENOTCONN: 107,
  ESHUTDOWN: 108,
  ETOOMANYREFS: 109,
  ETIMEDOUT: 110,
  ECONNREFUSED: 111,
  EHOSTDOWN: 112,
  EHOSTUNREACH: 113,
  EALREADY: 114,
  EINPROGRESS: 115,
  ESTALE: 116,
  EUCLEAN: 117,
  ENOTNAM: 118,
  ENAVAIL: 119,
  EISNAM: 120,
  EREMOTEIO: 121,
  EDQUOT: 122,
  ENOMEDIUM: 123,
  EMEDIUMTYPE: 124,
  ECANCELED: 125,
  ENOKEY: 126,
  EKEYEXPIRED: 127,
  EKEYREVOKED: 128,
  EKEYREJECTED: 129,
  EOWNERDEAD: 130,
  ENOTRECOVERABLE: 131,
  ERFKILL: 132,
  EHWPOISON: 133,
} as const;

/** glibc `strerror()` text per errno number; index = errno, "" where Linux defines none. */
const MESSAGES: readonly string[] = [
  "Success",
  "Operation not permitted", // 1
  "No such file or directory", // 2
  "No such process", // 3
  "Interrupted system call", // 4
  "Input/output error", // 5
  "No such device or address", // 6
  "Argument list too long", // 7
  "Exec format error", // 8
  "Bad file descriptor", // 9
  "No child processes", // 10
  "Resource temporarily unavailable", // 11
  "Cannot allocate memory", // 12
  "Permission denied", // 13
  "Bad address", // 14
  "Block device required", // 15
  "Device or resource busy", // 16
  "File exists", // 17
  "Invalid cross-device link", // 18
  "No such device", // 19
  "Not a directory", // 20
  "Is a directory", // 21
  "Invalid argument", // 22
  "Too many open files in system", // 23
  "Too many open files", // 24
  "Inappropriate ioctl for device", // 25
  "Text file busy", // 26
  "File too large", // 27
  "No space left on device", // 28
  "Illegal seek", // 29
  "Read-only file system", // 30
  "Too many links", // 31
  "Broken pipe", // 32
  "Numerical argument out of domain", // 33
  "Numerical result out of range", // 34
  "Resource deadlock avoided", // 35
  "File name too long", // 36
  "No locks available", // 37
  "Function not implemented", // 38
  "Directory not empty", // 39
  "Too many levels of symbolic links", // 40
  "", // 41
  "No message of desired type", // 42
  "Identifier removed", // 43
  "Channel number out of range", // 44
  "Level 2 not synchronized", // 45
  "Level 3 halted", // 46
  "Level 3 reset", // 47
  "Link number out of range", // 48
  "Protocol driver not attached", // 49
  "No CSI structure available", // 50
  "Level 2 halted", // 51
  "Invalid exchange", // 52
  "Invalid request descriptor", // 53
  "Exchange full", // 54
  "No anode", // 55
  "Invalid request code", // 56
  "Invalid slot", // 57
  "", // 58
  "Bad font file format", // 59
  "Device not a stream", // 60
  "No data available", // 61
  "Timer expired", // 62
  "Out of streams resources", // 63
  "Machine is not on the network", // 64
  "Package not installed", // 65
  "Object is remote", // 66
  "Link has been severed", // 67
  "Advertise error", // 68
  "Srmount error", // 69
  "Communication error on send", // 70
  "Protocol error", // 71
  "Multihop attempted", // 72
  "RFS specific error", // 73
  "Bad message", // 74
  "Value too large for defined data type", // 75
  "Name not unique on network", // 76
  "File descriptor in bad state", // 77
  "Remote address changed", // 78
  "Can not access a needed shared library", // 79
  "Accessing a corrupted shared library", // 80
  ".lib section in a.out corrupted", // 81
  "Attempting to link in too many shared libraries", // 82
  "Cannot exec a shared library directly", // 83
  "Invalid or incomplete multibyte or wide character", // 84
  "Interrupted system call should be restarted", // 85
  "Streams pipe error", // 86
  "Too many users", // 87
  "Socket operation on non-socket", // 88
  "Destination address required", // 89
  "Message too long", // 90
  "Protocol wrong type for socket", // 91
  "Protocol not available", // 92
  "Protocol not supported", // 93
  "Socket type not supported", // 94
  "Operation not supported", // 95
  "Protocol family not supported", // 96
  "Address family not supported by protocol", // 97
  "Address already in use", // 98
  "Cannot assign requested address", // 99
  "Network is down", // 100
  "Network is unreachable", // 101
  "Network dropped connection on reset", // 102
  "Software caused connection abort", // 103
  "Connection reset by peer", // 104
  "No buffer space available", // 105
  "Transport endpoint is already connected", // 106
  "Transport endpoint is not connected", // 107
  "Cannot send after transport endpoint shutdown", // 108
  "Too many references: cannot splice", // 109
  "Connection timed out", // 110
  "Connection refused", // 111
  "Host is down", // 112
  "No route to host", // 113
  "Operation already in progress", // 114
  "Operation now in progress", // 115
  "Stale file handle", // 116
  "Structure needs cleaning", // 117
  "Not a XENIX named type file", // 118
  "No XENIX semaphores available", // 119
  "Is a named type file", // 120
  "Remote I/O error", // 121
  "Disk quota exceeded", // 122
  "No medium found", // 123
  "Wrong medium type", // 124
  "Operation canceled", // 125
  "Required key not available", // 126
  "Key has expired", // 127
  "Key has been revoked", // 128
  "Key was rejected by service", // 129
  "Owner died", // 130
  "State not recoverable", // 131
  "Operation not possible due to RF-kill", // 132
  "Memory page has hardware error", // 133
];

/** A name defined in {@link ERRNO}, such as `"ENOENT"`. */
export type ErrnoName = keyof typeof ERRNO;

/** Primary name per errno number (aliases never win over the name they alias). */
const NAMES: readonly string[] = (() => {
  const names: string[] = [];
  for (const [name, value] of Object.entries(ERRNO)) names[value] ??= name;
  return names;
})();

/**
 * Returns the symbolic name of a Linux errno number: `"ENOENT"` for 2, `"EAGAIN"` for 11 (not
 * its alias `EWOULDBLOCK`), and `"E<n>"` for numbers Linux does not define.
 *
 * @param errno A positive errno number, as found in `SysResult.errno`.
 * @returns The kernel spelling of the name.
 *
 * @example
 * ```ts
 * import { errnoName } from "@nlts/netlink/protocol";
 * console.log(errnoName(2)); // "ENOENT"
 * console.log(errnoName(4095)); // "E4095"
 * ```
 */
export function errnoName(errno: number): string {
  checkErrno(errno, "name errno");
  return NAMES[errno] ?? `E${errno}`;
}

/** Errno numbers are integers (numbers Linux does not define get a generic answer). */
function checkErrno(errno: unknown, verb: string): void {
  if (typeof errno !== "number") {
    throw new TypeError(
      `Cannot ${verb}: errno must be an integer, not ${
        typeof errno === "string" ? JSON.stringify(errno) : typeof errno
      }`,
    );
  }
  if (!Number.isSafeInteger(errno)) {
    throw new RangeError(`Cannot ${verb}: errno must be an integer, not ${errno}`);
  }
}

/**
 * Returns the glibc `strerror()` text of a Linux errno number (`"No such file or directory"` for
 * 2), or `"Unknown error <n>"` for numbers Linux does not define.
 *
 * @param errno A positive errno number, as found in `SysResult.errno`.
 * @returns A human-readable message.
 *
 * @example
 * ```ts
 * import { errnoMessage } from "@nlts/netlink/protocol";
 * console.log(errnoMessage(2)); // "No such file or directory"
 * ```
 */
export function errnoMessage(errno: number): string {
  checkErrno(errno, "describe errno");
  const message = MESSAGES[errno];
  return message ? message : `Unknown error ${errno}`;
}
