// Byte-level tests of the struct layouts and the pure helpers shared by the FFI backends.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  assertSupportedPlatform,
  cmsgAlign,
  cmsgLen,
  cmsgSpace,
  decodeCmsgs,
  decodeIovec,
  decodeMsghdr,
  decodePollfds,
  decodeSockaddrNl,
  encodeCmsgs,
  encodeIovec,
  encodeMsghdr,
  encodePollfds,
  encodeSockaddrNl,
  IOVEC,
  MSGHDR,
  POLLFD,
  SOCKADDR_NL,
} from "../../src/ffi/mod.ts";
import { checkPollfds, cString, pollTimeout, waitOutcome } from "../../src/ffi/_internal.ts";

describe("sockaddr_nl", () => {
  // deno-fmt-ignore
  const fixture = Uint8Array.of(
    0x10, 0x00, //             nl_family = AF_NETLINK (16)
    0x00, 0x00, //             nl_pad
    0x78, 0x56, 0x34, 0x12, // nl_pid = 0x12345678
    0x11, 0x00, 0x00, 0x80, // nl_groups = 0x80000011 (groups 1, 5, 32)
  );

  test("encodes to the fixture", () => {
    assert.deepEqual(encodeSockaddrNl(0x12345678, 0x80000011), fixture);
    assert.equal(SOCKADDR_NL.size, 12);
  });

  test("decodes the fixture, also from a subarray", () => {
    const expected = { family: 16, pid: 0x12345678, groups: 0x80000011 };
    assert.deepEqual(decodeSockaddrNl(fixture), expected);
    const padded = new Uint8Array(20);
    padded.set(fixture, 5);
    assert.deepEqual(decodeSockaddrNl(padded.subarray(5)), expected);
  });

  test("groups default to 0; bad values throw RangeError", () => {
    assert.deepEqual(decodeSockaddrNl(encodeSockaddrNl(7)), { family: 16, pid: 7, groups: 0 });
    assert.throws(() => encodeSockaddrNl(-1), RangeError);
    assert.throws(() => encodeSockaddrNl(2 ** 32), RangeError);
    assert.throws(() => encodeSockaddrNl(1.5), RangeError);
    assert.throws(() => encodeSockaddrNl(0, -1), RangeError);
    assert.throws(() => decodeSockaddrNl(new Uint8Array(11)), RangeError);
  });
});

describe("iovec and msghdr", () => {
  test("iovec is base then len, 8 bytes each", () => {
    const bytes = encodeIovec({ base: 0x0102030405060708n, len: 0x200 });
    // deno-fmt-ignore
    const expected = Uint8Array.of(
      0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, // iov_base
      0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // iov_len = 512
    );
    assert.deepEqual(bytes, expected);
    assert.deepEqual(decodeIovec(bytes), { base: 0x0102030405060708n, len: 512 });
    assert.equal(IOVEC.size, 16);
  });

  test("iovec arrays: encode at an offset, decode by offset", () => {
    const arr = new Uint8Array(2 * IOVEC.size);
    encodeIovec({ base: 1n, len: 2 }, arr, 0);
    encodeIovec({ base: 3n, len: 4 }, arr, IOVEC.size);
    assert.deepEqual(decodeIovec(arr, IOVEC.size), { base: 3n, len: 4 });
    assert.throws(() => decodeIovec(arr, IOVEC.size + 1), RangeError);
  });

  test("msghdr has the LP64 layout, 56 bytes with padding zeroed", () => {
    const m = {
      name: 0x1111n,
      namelen: 12,
      iov: 0x2222n,
      iovlen: 3,
      control: 0x3333n,
      controllen: 24,
      flags: -1,
    };
    const bytes = encodeMsghdr(m);
    // deno-fmt-ignore
    const expected = Uint8Array.of(
      0x11, 0x11, 0, 0, 0, 0, 0, 0, // msg_name
      12, 0, 0, 0, 0, 0, 0, 0, //     msg_namelen, padding
      0x22, 0x22, 0, 0, 0, 0, 0, 0, // msg_iov
      3, 0, 0, 0, 0, 0, 0, 0, //      msg_iovlen
      0x33, 0x33, 0, 0, 0, 0, 0, 0, // msg_control
      24, 0, 0, 0, 0, 0, 0, 0, //     msg_controllen
      0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, // msg_flags = -1, padding
    );
    assert.deepEqual(bytes, expected);
    assert.deepEqual(decodeMsghdr(bytes), m);
    assert.deepEqual(
      [MSGHDR.size, MSGHDR.namelen, MSGHDR.iov, MSGHDR.iovlen, MSGHDR.control, MSGHDR.flags],
      [56, 8, 16, 24, 32, 48],
    );
    assert.throws(() => encodeMsghdr({ ...m, namelen: 129 }), RangeError);
    assert.throws(() => decodeMsghdr(new Uint8Array(55)), RangeError);
  });
});

describe("pollfd", () => {
  test("fd, events, revents in 8 bytes", () => {
    const bytes = encodePollfds([{ fd: 3, events: 1 }, { fd: -1, events: 5 }]);
    // deno-fmt-ignore
    const expected = Uint8Array.of(
      3, 0, 0, 0, /*             */ 1, 0, 0, 0, // fd 3, events POLLIN, revents 0
      0xff, 0xff, 0xff, 0xff, /* */ 5, 0, 0, 0, // fd -1, events POLLIN|POLLOUT
    );
    assert.deepEqual(bytes, expected);
    bytes[POLLFD.size + POLLFD.revents] = 0x20;
    assert.deepEqual(decodePollfds(bytes), [
      { fd: 3, events: 1, revents: 0 },
      { fd: -1, events: 5, revents: 0x20 },
    ]);
    assert.deepEqual(decodePollfds(bytes.subarray(0, 12)).length, 1);
  });
});

describe("cmsghdr", () => {
  test("CMSG_ALIGN, CMSG_LEN, CMSG_SPACE on LP64", () => {
    assert.deepEqual([cmsgAlign(0), cmsgAlign(1), cmsgAlign(8), cmsgAlign(9)], [0, 8, 8, 16]);
    assert.equal(cmsgLen(4), 20);
    assert.equal(cmsgSpace(4), 24);
  });

  test("encode and decode control messages with padding", () => {
    const bytes = encodeCmsgs([
      { level: 270, type: 3, data: Uint8Array.of(5, 0, 0, 0) },
      { level: 1, type: 2, data: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9) },
    ]);
    assert.equal(bytes.length, 24 + 32);
    // deno-fmt-ignore
    const first = Uint8Array.of(
      20, 0, 0, 0, 0, 0, 0, 0, // cmsg_len = CMSG_LEN(4)
      0x0e, 0x01, 0, 0, //        cmsg_level = SOL_NETLINK (270)
      3, 0, 0, 0, //              cmsg_type = NETLINK_PKTINFO
      5, 0, 0, 0, 0, 0, 0, 0, //  data, padded to 8
    );
    assert.deepEqual(bytes.subarray(0, 24), first);
    const decoded = decodeCmsgs(bytes);
    assert.equal(decoded.length, 2);
    assert.deepEqual(decoded[1], {
      level: 1,
      type: 2,
      data: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9),
    });
    // Payloads are copies, not views into the control buffer.
    bytes[16] = 99;
    assert.equal(decoded[0].data[0], 5);
  });

  test("decoding stops at an impossible length", () => {
    const bytes = encodeCmsgs([{ level: 1, type: 1, data: new Uint8Array(4) }]);
    assert.equal(decodeCmsgs(bytes.subarray(0, 19)).length, 0);
    const bad = bytes.slice();
    bad[0] = 8; // shorter than the header
    assert.deepEqual(decodeCmsgs(bad), []);
  });
});

describe("platform and internal helpers", () => {
  test("x86_64 and aarch64 Linux pass; others throw a clear Error", () => {
    for (const arch of ["x86_64", "x64", "aarch64", "arm64"]) {
      assertSupportedPlatform("linux", arch);
    }
    assert.throws(() => assertSupportedPlatform("linux", "riscv64"), /x86_64 and aarch64/);
    assert.throws(() => assertSupportedPlatform("linux", "ia32"), /"ia32" is not supported/);
    assert.throws(() => assertSupportedPlatform("darwin", "aarch64"), /needs Linux/);
  });

  test("waitOutcome: cancel wins, POLLNVAL is an error, POLLERR counts as readable", () => {
    assert.equal(waitOutcome(-1, 0, 0), "error");
    assert.equal(waitOutcome(0, 0, 0), "timeout");
    assert.equal(waitOutcome(1, 1, 0), "readable");
    assert.equal(waitOutcome(1, 0x8, 0), "readable");
    assert.equal(waitOutcome(2, 1, 1), "cancelled");
    assert.equal(waitOutcome(1, 0x20, 0), "error");
  });

  test("pollTimeout rounds fractions up and rejects out-of-range values", () => {
    assert.deepEqual([pollTimeout(-1), pollTimeout(0), pollTimeout(0.1)], [-1, 0, 1]);
    assert.equal(pollTimeout(2 ** 31 - 1), 2 ** 31 - 1);
    assert.throws(() => pollTimeout(2 ** 31), RangeError);
    assert.throws(() => pollTimeout(-1.5), RangeError);
    assert.throws(() => pollTimeout(Number.POSITIVE_INFINITY), RangeError);
  });

  test("checkPollfds needs 8 bytes per entry", () => {
    checkPollfds(new Uint8Array(16), 2);
    assert.throws(() => checkPollfds(new Uint8Array(15), 2), RangeError);
    assert.throws(() => checkPollfds(new Uint8Array(16), -1), RangeError);
  });

  test("cString is NUL-terminated UTF-8", () => {
    assert.deepEqual(cString("/a\u00e9"), Uint8Array.of(0x2f, 0x61, 0xc3, 0xa9, 0));
    assert.deepEqual(cString(""), Uint8Array.of(0));
    assert.throws(() => cString("a\0b"), TypeError);
  });
});
