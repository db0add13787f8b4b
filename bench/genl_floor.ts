/**
 * The plain-FFI floor of bench/genl_bench.ts: the four workloads of bench/c/genl_workloads.c with
 * no library at all, only the runtime's FFI (`Deno.dlopen` or `bun:ffi`'s `dlopen` of libc:
 * socket, bind, setsockopt, sendmsg, recvmsg) and a DataView attribute walk computing the same
 * checksums. One timed round per process; prints `RUNTIME-ffi WORKLOAD US_PER_OP CHECKSUM
 * CPU_US_PER_OP` (wall time, then the process's CPU time, all threads).
 *
 *   deno run -A bench/genl_floor.ts RTT FAMS FEATS NETDEVS
 *   bun bench/genl_floor.ts RTT FAMS FEATS NETDEVS
 *
 * @module
 */
import process from "node:process";

/** The libc calls the floor needs; pointers are the buffers themselves. */
interface Floor {
  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, addr: Uint8Array, len: number): number;
  setsockopt(fd: number, level: number, name: number, value: Uint8Array, len: number): number;
  sendmsg(fd: number, msghdr: Uint8Array, flags: number): number;
  recvmsg(fd: number, msghdr: Uint8Array, flags: number): number;
  /** The address of a buffer, for the pointers inside msghdr and iovec. */
  address(buf: Uint8Array): bigint;
}

interface DenoFfi {
  dlopen(path: string, symbols: Record<string, unknown>): { symbols: Record<string, unknown> };
  UnsafePointer: { of(buf: Uint8Array): unknown; value(p: unknown): bigint };
}

async function open(): Promise<Floor> {
  const deno = (globalThis as { Deno?: DenoFfi }).Deno;
  const names = ["socket", "bind", "setsockopt", "sendmsg", "recvmsg"] as const;
  const params: Record<(typeof names)[number], string[]> = {
    socket: ["i32", "i32", "i32"],
    bind: ["i32", "buffer", "u32"],
    setsockopt: ["i32", "i32", "i32", "buffer", "u32"],
    sendmsg: ["i32", "buffer", "i32"],
    recvmsg: ["i32", "buffer", "i32"],
  };
  if (deno) {
    const defs: Record<string, unknown> = {};
    for (const n of names) defs[n] = { parameters: params[n], result: "i32" };
    const s = deno.dlopen("libc.so.6", defs).symbols as unknown as Omit<Floor, "address">;
    return { ...s, address: (b) => deno.UnsafePointer.value(deno.UnsafePointer.of(b)) };
  }
  const spec = "bun:ffi";
  const bun = await import(spec) as {
    dlopen(path: string, symbols: Record<string, unknown>): { symbols: Record<string, unknown> };
    ptr(buf: Uint8Array): number;
  };
  const defs: Record<string, unknown> = {};
  for (const n of names) {
    defs[n] = { args: params[n].map((p) => p === "buffer" ? "ptr" : p), returns: "i32" };
  }
  const s = bun.dlopen("libc.so.6", defs).symbols as unknown as Omit<Floor, "address">;
  return { ...s, address: (b) => BigInt(bun.ptr(b)) };
}

const runtime = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined" ? "bun" : "deno";
const iters = process.argv.slice(2).map(Number);
/** Least warm-up time per workload (NLTS_BENCH_WARMUP_MS, default 1500). */
const WARMUP_MS = Number(process.env.NLTS_BENCH_WARMUP_MS ?? 1500);
if (iters.length !== 4 || iters.some((n) => !(n > 0))) {
  throw new TypeError("Cannot run the floor: pass four iteration counts");
}
const libc = await open();

const AF_NETLINK = 16, SOCK_RAW = 3, SOCK_CLOEXEC = 0x80000, NETLINK_GENERIC = 16;
const SOL_NETLINK = 270, NETLINK_EXT_ACK = 11, NETLINK_CAP_ACK = 10;
const NLMSG_ERROR = 2, NLMSG_DONE = 3, NLM_F_REQUEST = 1, NLM_F_ACK = 4, NLM_F_DUMP = 0x300;
const GENL_ID_CTRL = 16;

const fd = libc.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
const one = new Uint8Array(new Int32Array([1]).buffer);
libc.setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, one, 4);
libc.setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, one, 4);
const kernel = new Uint8Array(12);
new DataView(kernel.buffer).setUint16(0, AF_NETLINK, true);
if (fd < 0 || libc.bind(fd, kernel, 12) < 0) throw new Error("Cannot open the netlink socket");

// msghdr { name, namelen, iov, iovlen, control, controllen, flags } and one iovec, for each way
const req = new Uint8Array(128);
const reqView = new DataView(req.buffer);
const buf = new Uint8Array(1 << 20);
const view = new DataView(buf.buffer);
const from = new Uint8Array(12);
function msghdr(name: Uint8Array, data: Uint8Array): { hdr: Uint8Array; iov: DataView } {
  const iov = new Uint8Array(16);
  const hdr = new Uint8Array(56);
  const h = new DataView(hdr.buffer), v = new DataView(iov.buffer);
  v.setBigUint64(0, libc.address(data), true);
  v.setBigUint64(8, BigInt(data.length), true);
  h.setBigUint64(0, libc.address(name), true);
  h.setUint32(8, 12, true);
  h.setBigUint64(16, libc.address(iov), true);
  h.setBigUint64(24, 1n, true);
  keep.push(iov);
  return { hdr, iov: v };
}
const keep: Uint8Array[] = [];
const send = msghdr(kernel, req);
const recv = msghdr(from, buf);

type Sums = [number, number, number, number];
type Walk = (off: number, end: number, s: Sums) => void;

const familyMsg: Walk = (off, end, s) => {
  s[0]++;
  while (off + 4 <= end) {
    const len = view.getUint16(off, true), type = view.getUint16(off + 2, true) & 0x3fff;
    if (len < 4 || off + len > end) break;
    if (type === 1) s[1] += view.getUint16(off + 4, true); // CTRL_ATTR_FAMILY_ID
    else if (type === 6) { // CTRL_ATTR_OPS
      for (let o = off + 4; o + 4 <= off + len;) {
        const l = view.getUint16(o, true);
        if (l < 4) break;
        s[2]++;
        o += (l + 3) & ~3;
      }
    }
    off += (len + 3) & ~3;
  }
};

const featuresMsg: Walk = (off, end, s) => {
  s[0]++;
  while (off + 4 <= end) {
    const len = view.getUint16(off, true), type = view.getUint16(off + 2, true) & 0x3fff;
    if (len < 4 || off + len > end) break;
    if (type === 1) { // ETHTOOL_A_FEATURES_HEADER
      for (let h = off + 4; h + 4 <= off + len;) {
        const l = view.getUint16(h, true);
        if (l < 4) break;
        if ((view.getUint16(h + 2, true) & 0x3fff) === 1) s[1] += view.getUint32(h + 4, true);
        h += (l + 3) & ~3;
      }
    } else if (type >= 2 && type <= 5) { // HW, WANTED, ACTIVE, NOCHANGE: bitsets
      for (let a = off + 4; a + 4 <= off + len;) {
        const l = view.getUint16(a, true);
        if (l < 4) break;
        if ((view.getUint16(a + 2, true) & 0x3fff) === 3) { // ETHTOOL_A_BITSET_BITS
          for (let b = a + 4; b + 4 <= a + l;) {
            const bl = view.getUint16(b, true);
            if (bl < 4) break;
            s[2]++;
            for (let f = b + 4; f + 4 <= b + bl;) {
              const fl = view.getUint16(f, true);
              if (fl < 4) break;
              if ((view.getUint16(f + 2, true) & 0x3fff) === 3) s[3]++; // BIT_VALUE
              f += (fl + 3) & ~3;
            }
            b += (bl + 3) & ~3;
          }
        }
        a += (l + 3) & ~3;
      }
    }
    off += (len + 3) & ~3;
  }
};

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

const netdevMsg: Walk = (off, end, s) => {
  s[0]++;
  while (off + 4 <= end) {
    const len = view.getUint16(off, true), type = view.getUint16(off + 2, true) & 0x3fff;
    if (len < 4 || off + len > end) break;
    if (type === 1) s[1] += view.getUint32(off + 4, true);
    else if (type === 3) {
      s[2] += popcount(view.getUint32(off + 4, true)) + popcount(view.getUint32(off + 8, true));
    }
    off += (len + 3) & ~3;
  }
};

let seq = 1;
/** One request (attributes already in req from byte 20) and its replies; the error code. */
function exchange(
  type: number,
  cmd: number,
  version: number,
  flags: number,
  alen: number,
  walk: Walk,
  s: Sums,
): number {
  const n = seq++;
  reqView.setUint32(0, 20 + alen, true);
  reqView.setUint16(4, type, true);
  reqView.setUint16(6, NLM_F_REQUEST | flags, true);
  reqView.setUint32(8, n, true);
  reqView.setUint32(12, 0, true);
  req[16] = cmd;
  req[17] = version;
  send.iov.setBigUint64(8, BigInt(20 + alen), true);
  if (libc.sendmsg(fd, send.hdr, 0) < 0) return -1;
  for (;;) {
    const got = libc.recvmsg(fd, recv.hdr, 0);
    if (got < 0) return -1;
    for (let off = 0; off + 16 <= got;) {
      const len = view.getUint32(off, true);
      if (len < 16 || off + len > got) break;
      if (view.getUint32(off + 8, true) === n) {
        const t = view.getUint16(off + 4, true);
        if (t === NLMSG_DONE) return 0;
        if (t === NLMSG_ERROR) return view.getInt32(off + 16, true);
        walk(off + 20, off + len, s);
      }
      off += (len + 3) & ~3;
    }
  }
}

function putAttr(off: number, type: number, data: Uint8Array): number {
  reqView.setUint16(off, 4 + data.length, true);
  reqView.setUint16(off + 2, type, true);
  req.fill(0, off + 4, off + 4 + ((data.length + 3) & ~3));
  req.set(data, off + 4);
  return (4 + data.length + 3) & ~3;
}
const nlctrlName = new TextEncoder().encode("nlctrl\0");

function familyId(name: string): number {
  const alen = putAttr(20, 2, new TextEncoder().encode(name + "\0"));
  let id = 0;
  exchange(GENL_ID_CTRL, 3, 2, NLM_F_ACK, alen, (off, end) => {
    const s: Sums = [0, 0, 0, 0];
    familyMsg(off, end, s);
    id = s[1];
  }, [0, 0, 0, 0]);
  if (id === 0) throw new Error(`Cannot find family ${name}`);
  return id;
}
const ethtool = familyId("ethtool"), netdev = familyId("netdev");

interface Workload {
  name: string;
  /** Writes the request's attributes at byte 20 of req; their length. */
  attrs(): number;
  type: number;
  cmd: number;
  version: number;
  flags: number;
  walk: Walk;
  sum(s: Sums): string;
}
const workloads: Workload[] = [
  {
    name: "getfamily",
    attrs: () => putAttr(20, 2, nlctrlName),
    type: GENL_ID_CTRL,
    cmd: 3,
    version: 2,
    flags: NLM_F_ACK,
    walk: familyMsg,
    sum: (s) => `${s[1]}:${s[2]}`,
  },
  {
    name: "families",
    attrs: () => 0,
    type: GENL_ID_CTRL,
    cmd: 3,
    version: 2,
    flags: NLM_F_DUMP,
    walk: familyMsg,
    sum: (s) => `${s[0]}:${s[1]}:${s[2]}`,
  },
  {
    name: "features",
    attrs: () => {
      // ETHTOOL_A_FEATURES_HEADER (nested) { ETHTOOL_A_HEADER_FLAGS: u32 0 }
      reqView.setUint16(20, 12, true);
      reqView.setUint16(22, 1 | 0x8000, true);
      return 4 + putAttr(24, 3, new Uint8Array(4));
    },
    type: ethtool,
    cmd: 11,
    version: 1,
    flags: NLM_F_DUMP,
    walk: featuresMsg,
    sum: (s) => `${s[0]}:${s[1]}:${s[2]}:${s[3]}`,
  },
  {
    name: "netdev",
    attrs: () => 0,
    type: netdev,
    cmd: 1,
    version: 1,
    flags: NLM_F_DUMP,
    walk: netdevMsg,
    sum: (s) => `${s[0]}:${s[1]}:${s[2]}`,
  },
];

workloads.forEach((w, i) => {
  const run = (): Sums => {
    const s: Sums = [0, 0, 0, 0];
    const alen = w.attrs();
    const err = exchange(w.type, w.cmd, w.version, w.flags, alen, w.walk, s);
    if (err !== 0) throw new Error(`Cannot run ${w.name}: error ${err}`);
    return s;
  };
  // Warm up for a tenth of the count and at least WARMUP_MS (a JIT tiers up in the background:
  // a short timed loop would also time its compiler threads).
  const warm = performance.now() + WARMUP_MS;
  for (let k = 0; k < iters[i] / 10 + 1 || performance.now() < warm; k++) run();
  let s: Sums = [0, 0, 0, 0];
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let k = 0; k < iters[i]; k++) s = run();
  const c = process.cpuUsage(c0);
  const us = (performance.now() - t0) * 1000 / iters[i];
  const cpu = (c.user + c.system) / iters[i];
  console.log(`${runtime}-ffi ${w.name} ${us.toFixed(3)} ${w.sum(s)} ${cpu.toFixed(3)}`);
});
