// NetlinkSocket.sendBatchSync: requests framed back to back go out in one sendmsg; with
// ack "last" only the last asks for an acknowledgement and the kernel still answers failures;
// replies reach onReply by index; batchSync (built on it) keeps its results per message.
// Checked against the host kernel's nlctrl through a transport that records what was sent and
// received.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  GenlSocket,
  MessageIterator,
  NetlinkError,
  NetlinkWriter,
  NLM_F,
  NLMSG,
} from "../../mod.ts";
import { nlctrl } from "../../src/genl/mod.ts";
import { getLibc, type Libc } from "../../src/ffi/mod.ts";

/** The real libc, with every datagram sent and received recorded. */
function recording(): { libc: Libc; sent: Uint8Array[]; received: Uint8Array[] } {
  const real = getLibc();
  const sent: Uint8Array[] = [];
  const received: Uint8Array[] = [];
  const sendmsg: Libc["sendmsg"] = (fd, iov, addr, flags) => {
    const r = real.sendmsg(fd, iov, addr, flags);
    if (r.ret >= 0) {
      const all = new Uint8Array(iov.reduce((n, b) => n + b.length, 0));
      let o = 0;
      for (const b of iov) all.set(b, o), o += b.length;
      sent.push(all);
    }
    return r;
  };
  const recvmsg: Libc["recvmsg"] = (fd, buf, flags, ctl) => {
    const r = real.recvmsg(fd, buf, flags, ctl);
    if (r.ret > 0 && !(flags & 2 /* MSG_PEEK */)) received.push(buf.slice(0, r.ret));
    return r;
  };
  const recvmmsg: Libc["recvmmsg"] = (fd, bufs, flags) => {
    const r = real.recvmmsg!(fd, bufs, flags);
    for (let i = 0; i < r.ret; i++) received.push(bufs[i].slice(0, r.results[i].ret));
    return r;
  };
  const libc = new Proxy(real, {
    get: (target, key) => {
      if (key === "sendmsg") return sendmsg;
      if (key === "recvmsg") return recvmsg;
      if (key === "recvmmsg" && real.recvmmsg) return recvmmsg;
      const v = Reflect.get(target, key);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  return { libc, sent, received };
}

/** [type, flags, seq, errno (NLMSG_ERROR) ] of every message in `datagrams`. */
function messages(
  datagrams: Uint8Array[],
): { type: number; flags: number; seq: number; errno?: number }[] {
  const out = [];
  for (const d of datagrams) {
    const it = new MessageIterator(d);
    while (it.next()) {
      out.push({
        type: it.type,
        flags: it.flags,
        seq: it.seq,
        ...(it.type === NLMSG.ERROR
          ? { errno: Math.abs(it.view.getInt32(it.payloadOffset, true)) }
          : {}),
      });
    }
  }
  return out;
}

const NAMES = ["nlctrl", "nlts_nofam", "ethtool", "nlctrl"];

function getfamilies(genl: GenlSocket): Uint8Array {
  const ctrl = genl.family(nlctrl);
  const w = new NetlinkWriter();
  for (const familyName of NAMES) ctrl.encodeTo(w, "getfamily", { familyName });
  return w.copy();
}

test("sendBatchSync ack last: one sendmsg, one ACK, failures still answered, replies by index", () => {
  const rec = recording();
  using genl = GenlSocket.open({ transport: rec.libc });
  const data = getfamilies(genl);
  rec.sent.length = rec.received.length = 0;
  const ctrl = genl.family(nlctrl);
  const replies: [number, string | undefined][] = [];
  const failures = genl.socket.sendBatchSync(data, {
    ack: "last",
    operation: (i) => `getfamily ${NAMES[i]}`,
    onReply: (i, it) => replies.push([i, ctrl.decode(it, { op: "getfamily" }).attrs.familyName]),
  });
  assert.equal(rec.sent.length, 1, "one sendmsg for the whole batch");
  const out = messages(rec.sent);
  assert.equal(out.length, NAMES.length);
  // Consecutive, non-zero seqs; NLM_F_REQUEST on each, NLM_F_ACK on the last only.
  for (let i = 0; i < out.length; i++) {
    assert.equal(out[i].seq, out[0].seq + i);
    assert.notEqual(out[i].seq, 0);
    assert.equal(out[i].flags & NLM_F.REQUEST, NLM_F.REQUEST);
    assert.equal(out[i].flags & NLM_F.ACK, i === out.length - 1 ? NLM_F.ACK : 0, `request ${i}`);
  }
  assert.equal(failures.length, 1);
  assert.equal(failures[0].index, 1);
  assert.ok(failures[0].error instanceof NetlinkError);
  assert.equal(failures[0].error.code, "ENOENT");
  assert.match(failures[0].error.message, /getfamily nlts_nofam/);
  assert.deepEqual(replies, [[0, "nlctrl"], [2, "ethtool"], [3, "nlctrl"]]);
  const answers = messages(rec.received).filter((m) => m.type === NLMSG.ERROR);
  assert.deepEqual(answers.map((m) => [m.seq - out[0].seq, m.errno]), [[1, 2], [3, 0]]);
});

test("sendBatchSync ack each: every request acknowledged; the socket stays usable", () => {
  const rec = recording();
  using genl = GenlSocket.open({ transport: rec.libc });
  const data = getfamilies(genl);
  rec.received.length = 0;
  let replies = 0;
  const failures = genl.socket.sendBatchSync(data, { onReply: () => replies++ });
  assert.deepEqual(failures.map((f) => [f.index, f.error.code]), [[1, "ENOENT"]]);
  assert.equal(replies, 3);
  const answers = messages(rec.received).filter((m) => m.type === NLMSG.ERROR);
  assert.deepEqual(answers.map((m) => m.errno), [0, 2, 0, 0]);
  // Nothing left queued: the next request gets its own answer.
  assert.equal(genl.family(nlctrl).doSync("getfamily", { familyName: "nlctrl" })?.familyId, 16);
});

test("sendBatchSync: an empty batch sends nothing; a malformed buffer is a RangeError", () => {
  const rec = recording();
  using genl = GenlSocket.open({ transport: rec.libc });
  rec.sent.length = 0;
  assert.deepEqual(genl.socket.sendBatchSync(new Uint8Array(0)), []);
  assert.equal(rec.sent.length, 0);
  const bad = getfamilies(genl);
  new DataView(bad.buffer).setUint32(0, 4, true);
  assert.throws(() => genl.socket.sendBatchSync(bad), RangeError);
  assert.equal(rec.sent.length, 0);
});

test("batchSync keeps one result per message across chunks", () => {
  using genl = GenlSocket.open();
  const ctrl = genl.family(nlctrl);
  const msgs = ["nlctrl", "nope_x", "nlctrl", "nope_y", "ethtool"].map((familyName) =>
    ctrl.encode("getfamily", { familyName })
  );
  const r = genl.socket.batchSync(msgs, { chunk: 2, operation: "getfamily" });
  assert.deepEqual(r.map((x) => x.ok), [true, false, true, false, true]);
  for (const x of r) {
    if (x.ok) assert.equal(x.replies.length, 1);
    else assert.equal(x.error.code, "ENOENT");
  }
  const seqs = r.map((x) => x.seq);
  assert.equal(new Set(seqs).size, seqs.length);
});
