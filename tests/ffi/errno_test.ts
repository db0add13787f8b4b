// The errno table: names and numbers from <asm-generic/errno*.h>, glibc messages.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ERRNO, errnoMessage, errnoName } from "../../src/ffi/mod.ts";

test("ENOENT is 2, named and described", () => {
  assert.equal(ERRNO.ENOENT, 2);
  assert.equal(errnoName(2), "ENOENT");
  assert.equal(errnoMessage(2), "No such file or directory");
});

test("the table covers EPERM (1) to EHWPOISON (133); 41 and 58 are unassigned", () => {
  assert.equal(ERRNO.EPERM, 1);
  assert.equal(ERRNO.EHWPOISON, 133);
  for (let n = 1; n <= 133; n++) {
    if (n === 41 || n === 58) {
      assert.equal(errnoName(n), `E${n}`);
      assert.equal(errnoMessage(n), `Unknown error ${n}`);
      continue;
    }
    const name = errnoName(n);
    assert.match(name, /^E[A-Z0-9]+$/);
    assert.equal((ERRNO as Record<string, number>)[name], n, name);
    assert.notEqual(errnoMessage(n), "");
  }
});

test("aliases resolve to the primary name", () => {
  assert.equal(ERRNO.EWOULDBLOCK, ERRNO.EAGAIN);
  assert.equal(ERRNO.EDEADLOCK, ERRNO.EDEADLK);
  assert.equal(ERRNO.ENOTSUP, ERRNO.EOPNOTSUPP);
  assert.equal(errnoName(11), "EAGAIN");
  assert.equal(errnoName(35), "EDEADLK");
  assert.equal(errnoName(95), "EOPNOTSUPP");
  assert.equal(errnoMessage(11), "Resource temporarily unavailable");
});

test("numbers the netlink code meets most", () => {
  assert.deepEqual(
    [ERRNO.EINTR, ERRNO.EBADF, ERRNO.EAGAIN, ERRNO.EINVAL, ERRNO.ENOBUFS, ERRNO.EPROTONOSUPPORT],
    [4, 9, 11, 22, 105, 93],
  );
  assert.equal(ERRNO.ECONNREFUSED, 111);
  assert.equal(errnoMessage(ERRNO.EPERM), "Operation not permitted");
  assert.equal(errnoMessage(ERRNO.ENOBUFS), "No buffer space available");
});

test("unknown numbers get E<n> and a generic message", () => {
  assert.equal(errnoName(0), "E0");
  assert.equal(errnoName(134), "E134");
  assert.equal(errnoName(4095), "E4095");
  assert.equal(errnoName(-1), "E-1");
  assert.equal(errnoMessage(4095), "Unknown error 4095");
});
