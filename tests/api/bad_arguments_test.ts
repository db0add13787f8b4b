// Every public entry point checks its arguments (issue 15, item 6): this walks the public API
// (sockets, generic netlink, the controller, family clients and their codec, the OVS clients and
// flow batches, the YNL loader, generator and raw families, protocol helpers) with wrong types,
// NaN, negative, fractional, huge and empty values, one argument or option at a time, on a
// FakeKernel (so that it needs no module and no root, and records every request that reaches the
// "kernel"). Each call must fail with a TypeError or RangeError whose message says what was
// expected ("Cannot <verb>: <what> must be ..."), never a raw JavaScript error
// (`x.startsWith is not a function`, "Cannot read properties of undefined"), never by quietly
// accepting the value, and never after a request went out. 288 entry points or options, 2,267
// calls; on main before the checks (afbc887, 2,181 calls: netns took no fd yet) 837 failed under
// Deno and Bun alike (220 raw JavaScript errors, 117 requests that reached the kernel, 452 values
// accepted as if valid, the rest other error classes or calls that never returned).
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  align4,
  AttrIterator,
  attrSet,
  closeNamespace,
  copyBytes,
  decodeDoneMessage,
  decodeErrorMessage,
  decodeExtAck,
  decodeGenlHeader,
  defineFamily,
  encodeGenlHeader,
  errnoMessage,
  errnoName,
  Family,
  familySpecFor,
  GenlSocket,
  MessageIterator,
  NETLINK,
  netlinkProtocolName,
  NetlinkSocket,
  NetlinkWriter,
  netnsPath,
  openNamespace,
  readString,
  registerFamilySpec,
  registerTrace,
} from "../../mod.ts";
import { Controller, ethtool, netdev, nlctrl } from "../../src/genl/mod.ts";
import {
  FlowTable,
  OvsClient,
  ovsCtLimit,
  ovsDatapath,
  ovsFlow,
  ovsMeter,
  ovsPacket,
  ovsVport,
  UpcallSocket,
} from "../../src/ovs/mod.ts";
import { ackOf, FakeKernel } from "../../src/testing/mod.ts";
import {
  defineRawFamily,
  findSpec,
  generateModule,
  licenseOf,
  listSpecs,
  loadGenlSpec,
  loadRawSpec,
  loadSpec,
  moduleName,
  normalName,
  parseSpecText,
  RawFamily,
  readSpecModel,
  readSpecSource,
  readSpecText,
  specDirs,
} from "../../src/ynl/mod.ts";
import { rtLink } from "../../src/families/rt_link.ts";

// Bad values by the kind of slot they are given to. `undefined` is never among them: optional
// arguments and options may always be left out.
const INT = ["7", true, null, {}, [], 5n, NaN, 1.5, Infinity, -Infinity];
const BAD: Record<string, unknown[]> = {
  u8: [...INT, -1, 256, 2 ** 53],
  u16: [...INT, -1, 65536, 2 ** 53],
  u32: [...INT, -1, 2 ** 32, 2 ** 53],
  i32: [...INT, 2 ** 31, -(2 ** 31) - 1],
  int: [...INT, 2 ** 53],
  pos: [...INT, 0, -1, 2 ** 32],
  str: [5, true, null, {}, [], 5n],
  name: [5, true, null, {}, [], 5n, "", "a\0b"],
  label: [5, true, null, {}, [], 5n, ""],
  nameOrId: [true, null, {}, [], 5n, "", "a\0b", NaN, 0, -1, 1.5, 65536],
  bool: ["yes", 1, null, {}],
  opts: ["x", 5, true, null, [], 5n],
  bytes: ["x", 5, null, {}, [1, 2, 3, 4], new ArrayBuffer(20)],
  fn: ["x", 5, null, {}],
  arr: ["x", 5, null, {}, true],
  timeout: ["5", null, NaN, -2, 2 ** 31, Infinity],
  signal: ["x", 5, {}, null, new AbortController()],
  dp: [null, {}, [], true, "", 0, -1, 1.5, NaN, 2 ** 32],
  port: [null, {}, [], true, "", -1, 1.5, NaN, 2 ** 32],
  spec: ["x", 5, null, {}, [], { name: 5 }],
  source: [5, true, null, [], 5n, "", "a\0b"],
  // A name or path, or an open namespace fd (0..2^31-1).
  netns: [true, null, {}, [], 5n, "", "a\0b", NaN, -1, 1.5, 2 ** 31],
  netnsFd: ["5", true, null, {}, [], 5n, NaN, -1, 1.5, 2 ** 31],
  // Bytes that are not whole netlink messages (a length past the end, shorter than a header).
  frame: [new Uint8Array(3), new Uint8Array([32, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])],
};

/** Errors that are the runtime's own, never ours (V8 and JavaScriptCore spellings). */
const RAW = [
  /^Cannot read propert/,
  /^Cannot set propert/,
  /^Cannot convert/,
  /^Cannot mix BigInt/,
  /^Cannot destructure/,
  /^Cannot create property/,
  /^Cannot access/,
  /is not a function/,
  /is not an object/,
  /is not iterable/,
  /undefined is not/,
  /null is not/,
  /Invalid array length/,
  /Maximum call stack/,
  /Array buffer allocation failed/,
  /Out of memory/,
  /BigInt/,
];

type Call = (v: unknown) => unknown;

test("bad arguments: every public entry point says what it expected, before any request", async () => {
  const kernel = new FakeKernel();
  kernel.serveFamily(netdev, { "dev-get": (r) => r.dump ? [{ ifindex: 1 }] : { ifindex: 1 } });
  kernel.serveFamily(ovsDatapath, { get: [{ name: "dp0" }], new: [{ name: "dp0" }] });
  kernel.serveFamily(ovsVport, {});
  kernel.serveFamily(ovsFlow, {});
  kernel.serveFamily(ovsPacket, {});
  kernel.serveFamily(ovsMeter, {});
  kernel.serveFamily(ovsCtLimit, {});
  kernel.handle(NETLINK.ROUTE, (req) => [ackOf(req)]);
  const transport = kernel;
  using sock = NetlinkSocket.open(NETLINK.GENERIC, { transport });
  using genl = GenlSocket.open({ transport });
  const fam = genl.family(netdev);
  using ctrl = Controller.open({ transport });
  using ovs = OvsClient.open({ transport });
  using flows = new FlowTable(genl, 1);
  using link = RawFamily.open(rtLink, { transport });
  const writer = new NetlinkWriter();
  const reply = fam.encode("dev-get", { ifindex: 1 });
  const received = { type: 16, flags: 0, seq: 0, pid: 0, payload: new Uint8Array(8) };
  const spec = "name: x\ndoc: x\nattribute-sets: []\noperations: { list: [] }\n";
  const msg = { type: 16, payload: new Uint8Array([3, 1, 0, 0]) };
  const raw16 = () => {
    const b = new Uint8Array(16);
    b[0] = 16;
    b[4] = 16;
    return b;
  };
  const bytes = new Uint8Array(64);
  const x = (v: unknown) => v as never;

  const entries: [string, string, Call][] = [
    // NetlinkSocket
    ["NetlinkSocket.open protocol", "u8", (v) => NetlinkSocket.open(x(v), { transport })],
    ["NetlinkSocket.open options", "opts", (v) => NetlinkSocket.open(16, x(v))],
    [
      "NetlinkSocket.open portid",
      "u32",
      (v) => NetlinkSocket.open(16, { transport, portid: x(v) }),
    ],
    [
      "NetlinkSocket.open groups",
      "u32",
      (v) => NetlinkSocket.open(16, { transport, groups: x(v) }),
    ],
    [
      "NetlinkSocket.open netns",
      "netns",
      (v) => NetlinkSocket.open(16, { transport, netns: x(v) }),
    ],
    [
      "NetlinkSocket.open strict",
      "bool",
      (v) => NetlinkSocket.open(16, { transport, strict: x(v) }),
    ],
    [
      "NetlinkSocket.open userToUser",
      "bool",
      (v) => NetlinkSocket.open(16, { transport, userToUser: x(v) }),
    ],
    [
      "NetlinkSocket.open receiveBufferSize",
      "u32",
      (v) => NetlinkSocket.open(16, { transport, receiveBufferSize: x(v) }),
    ],
    [
      "NetlinkSocket.open rcvbuf",
      "u32",
      (v) => NetlinkSocket.open(16, { transport, rcvbuf: x(v) }),
    ],
    [
      "NetlinkSocket.open receiveMode",
      "name",
      (v) => NetlinkSocket.open(16, { transport, receiveMode: x(v) }),
    ],
    ["NetlinkSocket.open type", "name", (v) => NetlinkSocket.open(16, { transport, type: x(v) })],
    ["NetlinkSocket.open name", "str", (v) => NetlinkSocket.open(16, { transport, name: x(v) })],
    ["NetlinkSocket.open transport", "str", (v) => NetlinkSocket.open(16, { transport: x(v) })],
    ["sock.connect portid", "u32", (v) => sock.connect(x(v))],
    ["sock.connect groups", "u32", (v) => sock.connect(0, x(v))],
    ["sock.joinGroup", "pos", (v) => sock.joinGroup(x(v))],
    ["sock.leaveGroup", "pos", (v) => sock.leaveGroup(x(v))],
    ["sock.setOption name", "name", (v) => sock.setOption(x(v), 1)],
    ["sock.setOption value", "bool", (v) => sock.setOption("NO_ENOBUFS", x(v === 1 ? 1.5 : v))],
    ["sock.getOption", "name", (v) => sock.getOption(x(v))],
    ["sock.setSocketOption level", "u32", (v) => sock.setSocketOption(x(v), 8, 1 << 16)],
    ["sock.setSocketOption value", "i32", (v) => sock.setSocketOption(1, 8, x(v))],
    ["sock.getSocketOption name", "u32", (v) => sock.getSocketOption(1, x(v))],
    ["sock.send data", "bytes", (v) => sock.send(x(v))],
    ["sock.send to", "opts", (v) => sock.send(raw16(), x(v))],
    ["sock.send portid", "u32", (v) => sock.send(raw16(), { portid: x(v) })],
    ["sock.send groups", "u32", (v) => sock.send(raw16(), { groups: x(v) })],
    ["sock.request message", "bytes", (v) => sock.request(x(v))],
    ["sock.request type", "u16", (v) => sock.request({ type: x(v) })],
    ["sock.request flags", "u16", (v) => sock.request({ type: 16, flags: x(v) })],
    ["sock.request payload", "bytes", (v) => sock.request({ type: 16, payload: x(v) })],
    ["sock.request options", "opts", (v) => sock.request(msg, x(v))],
    ["sock.request operation", "str", (v) => sock.request(msg, { operation: x(v) })],
    ["sock.request ack", "bool", (v) => sock.request(msg, { ack: x(v) })],
    ["sock.request timeoutMs", "timeout", (v) => sock.request(msg, { timeoutMs: x(v) })],
    ["sock.request describeExtAck", "fn", (v) => sock.request(msg, { describeExtAck: x(v) })],
    ["sock.requestSync type", "u16", (v) => sock.requestSync({ type: x(v) })],
    ["sock.requestSync timeoutMs", "timeout", (v) => sock.requestSync(msg, { timeoutMs: x(v) })],
    ["sock.dump type", "u16", (v) => sock.dump({ type: x(v) })],
    ["sock.dump retryInterrupted", "u32", (v) => sock.dump(msg, { retryInterrupted: x(v) })],
    ["sock.dumpSync options", "opts", (v) => sock.dumpSync(msg, x(v))],
    ["sock.dumpBatches map", "fn", (v) => sock.dumpBatches(msg, {}, x(v))],
    ["sock.exchange handler", "fn", (v) => sock.exchange(msg, {}, x(v))],
    ["sock.exchangeSync dump", "bool", (v) => sock.exchangeSync(msg, { dump: x(v) }, () => {})],
    ["sock.batchSync messages", "arr", (v) => sock.batchSync(x(v))],
    ["sock.batchSync chunk", "pos", (v) => sock.batchSync([msg], { chunk: x(v) })],
    ["sock.messages options", "opts", (v) => sock.messages(x(v))],
    ["sock.messages signal", "signal", (v) => sock.messages({ signal: x(v) })],
    ["sock.dumpBatches options", "opts", (v) => sock.dumpBatches(msg, x(v), () => 1)],
    ["sock.exchange options", "opts", (v) => sock.exchange(msg, x(v), () => {})],
    [
      "sock.exchangeSync timeoutMs",
      "timeout",
      (v) => sock.exchangeSync(msg, { timeoutMs: x(v) }, () => {}),
    ],
    ["sock.batchSync message", "bytes", (v) => sock.batchSync([msg, x(v)])],
    ["sock.batchSync options", "opts", (v) => sock.batchSync([msg], x(v))],
    ["sock.sendBatchSync data", "bytes", (v) => sock.sendBatchSync(x(v))],
    ["sock.sendBatchSync framing", "frame", (v) => sock.sendBatchSync(x(v))],
    ["sock.sendBatchSync options", "opts", (v) => sock.sendBatchSync(raw16(), x(v))],
    ["sock.sendBatchSync ack", "label", (v) => sock.sendBatchSync(raw16(), { ack: x(v) })],
    ["sock.sendBatchSync operation", "fn", (v) => sock.sendBatchSync(raw16(), { operation: x(v) })],
    ["sock.sendBatchSync onReply", "fn", (v) => sock.sendBatchSync(raw16(), { onReply: x(v) })],
    [
      "sock.sendBatchSync describeExtAck",
      "fn",
      (v) => sock.sendBatchSync(raw16(), { describeExtAck: x(v) }),
    ],
    [
      "sock.sendBatchSync timeoutMs",
      "timeout",
      (v) => sock.sendBatchSync(raw16(), { timeoutMs: x(v) }),
    ],
    // GenlSocket and Family
    ["GenlSocket.open options", "opts", (v) => GenlSocket.open(x(v))],
    ["GenlSocket.open netns", "netns", (v) => GenlSocket.open({ transport, netns: x(v) })],
    ["GenlSocket.open rcvbuf", "u32", (v) => GenlSocket.open({ transport, rcvbuf: x(v) })],
    ["GenlSocket.open strict", "bool", (v) => GenlSocket.open({ transport, strict: x(v) })],
    [
      "GenlSocket.open receiveBufferSize",
      "u32",
      (v) => GenlSocket.open({ transport, receiveBufferSize: x(v) }),
    ],
    ["new Family genl", "opts", (v) => new Family(x(v), netdev)],
    ["new Family spec", "spec", (v) => new Family(genl, x(v))],
    ["genl.resolve name", "name", (v) => genl.resolve(x(v))],
    ["genl.resolve module", "str", (v) => genl.resolve("nlctrl", x(v))],
    ["genl.refresh name", "str", (v) => genl.refresh(x(v))],
    ["genl.family spec", "spec", (v) => genl.family(x(v))],
    ["family.do op", "name", (v) => fam.do(x(v))],
    ["family.do attrs", "opts", (v) => fam.do("dev-get", x(v))],
    ["family.do ifindex", "u32", (v) => fam.do("dev-get", { ifindex: x(v) })],
    ["family.do options", "opts", (v) => fam.do("dev-get", {}, x(v))],
    ["family.do flags", "u16", (v) => fam.do("dev-get", {}, { flags: x(v) })],
    ["family.do ack", "bool", (v) => fam.do("dev-get", {}, { ack: x(v) })],
    ["family.do strict", "bool", (v) => fam.do("dev-get", {}, { strict: x(v) })],
    ["family.do timeoutMs", "timeout", (v) => fam.do("dev-get", {}, { timeoutMs: x(v) })],
    ["family.doSync op", "name", (v) => fam.doSync(x(v))],
    ["family.doSync attrs", "opts", (v) => fam.doSync("dev-get", x(v))],
    ["family.doSync timeoutMs", "timeout", (v) => fam.doSync("dev-get", {}, { timeoutMs: x(v) })],
    ["family.request options", "opts", (v) => fam.request("dev-get", {}, x(v))],
    ["family.requestSync flags", "u16", (v) => fam.requestSync("dev-get", {}, { flags: x(v) })],
    ["family.dump op", "name", (v) => fam.dump(x(v)).next()],
    ["family.dump attrs", "opts", (v) => fam.dump("dev-get", x(v)).next()],
    [
      "family.dump retryInterrupted",
      "u32",
      (v) => fam.dump("dev-get", {}, { retryInterrupted: x(v) }).next(),
    ],
    [
      "family.dumpMessages timeoutMs",
      "timeout",
      (v) => fam.dumpMessages("dev-get", {}, { timeoutMs: x(v) }).next(),
    ],
    ["family.dumpSync options", "opts", (v) => fam.dumpSync("dev-get", {}, x(v))],
    ["family.dumpSync onMessage", "fn", (v) => fam.dumpSync("dev-get", {}, { onMessage: x(v) })],
    ["family.dumpSync op", "name", (v) => fam.dumpSync(x(v))],
    [
      "family.dumpSync retryInterrupted",
      "u32",
      (v) => fam.dumpSync("dev-get", {}, { retryInterrupted: x(v) }),
    ],
    ["family.dumpMessages attrs", "opts", (v) => fam.dumpMessages("dev-get", x(v)).next()],
    ["family.request op", "name", (v) => fam.request(x(v))],
    ["family.request attrs", "opts", (v) => fam.request("dev-get", x(v))],
    ["family.requestSync options", "opts", (v) => fam.requestSync("dev-get", {}, x(v))],
    ["family.do header", "opts", (v) => fam.do("dev-get", {}, { header: x(v) })],
    ["family.batchSync op", "name", (v) => fam.batchSync(x(v), [{}])],
    ["family.batchSync options", "opts", (v) => fam.batchSync("dev-get", [{}], x(v))],
    ["family.batchSync requests", "arr", (v) => fam.batchSync("dev-get", x(v))],
    ["family.batchSync request", "opts", (v) => fam.batchSync("dev-get", [x(v)])],
    ["family.batchSync chunk", "pos", (v) => fam.batchSync("dev-get", [{}], { chunk: x(v) })],
    ["family.encode op", "name", (v) => fam.encode(x(v))],
    ["family.encode attrs", "opts", (v) => fam.encode("dev-get", x(v))],
    ["family.encode ifindex", "u32", (v) => fam.encode("dev-get", { ifindex: x(v) })],
    ["family.encode options", "opts", (v) => fam.encode("dev-get", {}, x(v))],
    ["family.encode flags", "u16", (v) => fam.encode("dev-get", {}, { flags: x(v) })],
    ["family.encode seq", "u32", (v) => fam.encode("dev-get", {}, { seq: x(v) })],
    ["family.encode header", "opts", (v) => fam.encode("dev-get", {}, { header: x(v) })],
    ["family.encodeTo writer", "opts", (v) => fam.encodeTo(x(v), "dev-get")],
    ["family.encodeTo op", "name", (v) => fam.encodeTo(writer, x(v))],
    ["family.encodeTo attrs", "opts", (v) => fam.encodeTo(writer, "dev-get", x(v))],
    ["family.encodeTo options", "opts", (v) => fam.encodeTo(writer, "dev-get", {}, x(v))],
    [
      "family.encodeTo flags",
      "u16",
      (v) => fam.encodeTo(writer, "dev-get", {}, { flags: x(v) }),
    ],
    ["family.decode message", "opts", (v) => fam.decode(x(v))],
    ["family.decode options", "opts", (v) => fam.decode(reply, x(v))],
    ["family.decode op", "name", (v) => fam.decode(reply, { op: x(v) })],
    ["family.decode strict", "bool", (v) => fam.decode(reply, { strict: x(v) })],
    ["family.subscribe groups", "arr", (v) => fam.subscribe(x(v))],
    ["family.subscribe group", "name", (v) => fam.subscribe([x(v)])],
    ["family.subscribe options", "opts", (v) => fam.subscribe(["mgmt"], x(v))],
    ["family.subscribe signal", "signal", (v) => fam.subscribe(["mgmt"], { signal: x(v) })],
    ["family.subscribe strict", "bool", (v) => fam.subscribe(["mgmt"], { strict: x(v) })],
    ["family.subscribe netns", "netns", (v) => fam.subscribe(["mgmt"], { netns: x(v) })],
    // Controller
    ["Controller.open options", "opts", (v) => Controller.open(x(v))],
    ["new Controller genl", "opts", (v) => new Controller(x(v))],
    ["new Controller ownsSocket", "bool", (v) => new Controller(genl, x(v))],
    ["ctrl.getFamily", "nameOrId", (v) => ctrl.getFamily(x(v))],
    ["ctrl.getFamilySync", "nameOrId", (v) => ctrl.getFamilySync(x(v))],
    ["ctrl.getPolicy family", "nameOrId", (v) => ctrl.getPolicy(x(v))],
    ["ctrl.getPolicy options", "opts", (v) => ctrl.getPolicy("nlctrl", x(v))],
    ["ctrl.getPolicy op", "u8", (v) => ctrl.getPolicy("nlctrl", { op: x(v) })],
    ["ctrl.resolve", "name", (v) => ctrl.resolve(x(v))],
    // OVS
    ["OvsClient.open options", "opts", (v) => OvsClient.open(x(v))],
    ["OvsClient.open netns", "netns", (v) => OvsClient.open({ transport, netns: x(v) })],
    ["ovs.newDatapath name", "name", (v) => ovs.newDatapath(x(v))],
    ["ovs.newDatapath options", "opts", (v) => ovs.newDatapath("dp0", x(v))],
    ["ovs.getDatapath", "dp", (v) => ovs.getDatapath(x(v))],
    ["ovs.delDatapath", "dp", (v) => ovs.delDatapath(x(v))],
    ["ovs.setDatapath options", "opts", (v) => ovs.setDatapath("dp0", x(v))],
    ["ovs.newVport dp", "dp", (v) => ovs.newVport(x(v), "p0", { type: "internal" })],
    ["ovs.newVport name", "name", (v) => ovs.newVport("dp0", x(v), { type: "internal" })],
    ["ovs.newVport options", "opts", (v) => ovs.newVport("dp0", "p0", x(v))],
    ["ovs.getVport port", "port", (v) => ovs.getVport("dp0", x(v))],
    ["ovs.dumpVports", "dp", (v) => ovs.dumpVports(x(v))],
    ["ovs.flows", "dp", (v) => ovs.flows(x(v))],
    ["ovs.getMeter id", "u32", (v) => ovs.getMeter(1, x(v))],
    ["ovs.delMeter id", "u32", (v) => ovs.delMeter(1, x(v))],
    ["ovs.dumpMeters options", "opts", (v) => ovs.dumpMeters(1, x(v))],
    ["ovs.dumpMeters first", "u32", (v) => ovs.dumpMeters(1, { first: x(v) })],
    ["ovs.meterFeatures dp", "dp", (v) => ovs.meterFeatures(x(v))],
    ["ovs.delVport port", "port", (v) => ovs.delVport("dp0", x(v))],
    ["ovs.delCtLimits zones", "arr", (v) => ovs.delCtLimits(x(v))],
    ["ovs.execute packet", "opts", (v) => ovs.execute(1, x(v))],
    ["ovs.getCtLimits zones", "arr", (v) => ovs.getCtLimits(x(v))],
    ["ovs.openUpcallSocket options", "opts", (v) => ovs.openUpcallSocket(x(v))],
    ["ovs.openUpcallSocket rcvbuf", "u32", (v) => ovs.openUpcallSocket({ rcvbuf: x(v) })],
    ["ovs.events options", "opts", (v) => ovs.events(x(v))],
    ["UpcallSocket.open familyId", "u16", (v) => UpcallSocket.open(x(v), { transport })],
    ["FlowTable.openSync dp", "dp", (v) => FlowTable.openSync(x(v), genl)],
    ["FlowTable.openSync options", "opts", (v) => FlowTable.openSync(1, genl, x(v))],
    ["new FlowTable dpIfindex", "dp", (v) => new FlowTable(genl, x(v))],
    ["flows.get ref", "opts", (v) => flows.get(x(v))],
    ["flows.del ref", "opts", (v) => flows.del(x(v))],
    ["flows.dumpSync onFlow", "fn", (v) => flows.dumpSync(x(v))],
    ["flows.list options", "opts", (v) => flows.list(x(v))],
    ["flows.newBatch flows", "arr", (v) => flows.newBatch(x(v))],
    ["flows.delBatch refs", "arr", (v) => flows.delBatch(x(v))],
    ["flows.batch ops", "arr", (v) => flows.batch(x(v))],
    ["flows.batch chunk", "pos", (v) => flows.batch([], { chunk: x(v) })],
    ["flows.batch options", "opts", (v) => flows.batch([], x(v))],
    ["flows.batch op", "opts", (v) => flows.batch([x(v)])],
    ["flows.batch op kind", "label", (v) => flows.batch([{ op: x(v), ref: {} } as never])],
    ["flows.newBatch flow", "opts", (v) => flows.newBatch([x(v)])],
    ["flows.batch probe", "bool", (v) => flows.batch([], { probe: x(v) })],
    ["flows.batch rcvbuf", "i32", (v) => flows.batch([], { rcvbuf: x(v === 2 ** 31 ? -1 : v) })],
    ["flows.batch onProgress", "fn", (v) => flows.batch([], { onProgress: x(v) })],
    ["flows.batch timeoutMs", "timeout", (v) => flows.batch([], { timeoutMs: x(v) })],
    ["flows.newBatch options", "opts", (v) => flows.newBatch([], x(v))],
    ["flows.newBatch modify", "bool", (v) => flows.newBatch([], { modify: x(v) })],
    ["flows.newBatch chunk", "pos", (v) => flows.newBatch([], { chunk: x(v) })],
    ["flows.delBatch options", "opts", (v) => flows.delBatch([], x(v))],
    ["flows.delBatch timeoutMs", "timeout", (v) => flows.delBatch([], { timeoutMs: x(v) })],
    ["flows.dump options", "opts", (v) => flows.dump(x(v)).next()],
    ["FlowTable.openSync source", "opts", (v) => FlowTable.openSync(1, x(v === null ? 5 : v))],
    ["flows.subscribe options", "opts", (v) => flows.subscribe(x(v))],
    // YNL: specs and raw families
    ["loadSpec source", "source", (v) => loadSpec(x(v))],
    ["loadSpec options", "opts", (v) => loadSpec(spec, x(v))],
    ["loadSpec dirs", "arr", (v) => loadSpec("netdev", { dirs: x(v) })],
    ["loadSpec dir", "name", (v) => loadSpec("netdev", { dirs: [x(v)] })],
    ["loadSpec file", "str", (v) => loadSpec(spec, { file: x(v) })],
    ["loadGenlSpec source", "source", (v) => loadGenlSpec(x(v))],
    ["loadRawSpec source", "source", (v) => loadRawSpec(x(v))],
    ["loadRawSpec options", "opts", (v) => loadRawSpec(spec, x(v))],
    ["readSpecSource source", "source", (v) => readSpecSource(x(v))],
    ["readSpecSource options", "opts", (v) => readSpecSource(spec, x(v))],
    ["readSpecModel file", "str", (v) => readSpecModel({}, x(v))],
    ["specDirs options", "opts", (v) => specDirs(x(v))],
    ["specDirs dirs", "arr", (v) => specDirs({ dirs: x(v) })],
    ["listSpecs options", "opts", (v) => listSpecs(x(v))],
    ["listSpecs dir", "name", (v) => listSpecs({ dirs: [x(v)] })],
    ["normalName", "str", (v) => normalName(x(v))],
    ["findSpec name", "name", (v) => findSpec(x(v))],
    ["findSpec options", "opts", (v) => findSpec("netdev", x(v))],
    ["readSpecText path", "name", (v) => readSpecText(x(v))],
    ["parseSpecText text", "str", (v) => parseSpecText(x(v))],
    ["parseSpecText file", "str", (v) => parseSpecText(spec, x(v))],
    ["licenseOf", "str", (v) => licenseOf(x(v))],
    ["moduleName", "name", (v) => moduleName(x(v))],
    ["generateModule source", "source", (v) => generateModule(x(v))],
    ["generateModule options", "opts", (v) => generateModule(spec, x(v))],
    ["generateModule kernel", "name", (v) => generateModule(spec, { kernel: x(v) })],
    ["generateModule schemaImport", "name", (v) => generateModule(spec, { schemaImport: x(v) })],
    ["defineRawFamily spec", "spec", (v) => defineRawFamily(x(v))],
    [
      "defineRawFamily protocol",
      "u8",
      (v) => defineRawFamily({ ...rtLink, protocol: x(v === 256 ? 32 : v) }),
    ],
    [
      "defineRawFamily cmd",
      "u16",
      (v) => defineRawFamily({ ...rtLink, operations: { a: { cmd: x(v) } } }),
    ],
    [
      "defineRawFamily mcastGroups",
      "opts",
      (v) => defineRawFamily({ ...rtLink, mcastGroups: x(v) }),
    ],
    ["RawFamily.open spec", "spec", (v) => RawFamily.open(x(v), { transport })],
    ["RawFamily.open options", "opts", (v) => RawFamily.open(rtLink, x(v))],
    ["RawFamily.open netns", "netns", (v) => RawFamily.open(rtLink, { transport, netns: x(v) })],
    ["link.encode op", "name", (v) => link.encode(x(v))],
    ["link.encode attrs", "opts", (v) => link.encode("getlink", x(v))],
    ["link.encode options", "opts", (v) => link.encode("getlink", {}, x(v))],
    ["link.encode flags", "u16", (v) => link.encode("getlink", {}, { flags: x(v) })],
    ["link.encode header", "opts", (v) => link.encode("getlink", {}, { header: x(v) })],
    [
      "link.encode ifiIndex",
      "i32",
      (v) => link.encode("getlink", {}, { header: { ifiIndex: x(v) } }),
    ],
    ["link.encodeTo writer", "opts", (v) => link.encodeTo(x(v), "getlink")],
    ["link.encodeTo op", "name", (v) => link.encodeTo(writer, x(v))],
    ["link.encodeTo attrs", "opts", (v) => link.encodeTo(writer, "getlink", x(v))],
    ["link.encodeTo flags", "u16", (v) => link.encodeTo(writer, "getlink", {}, { flags: x(v) })],
    ["link.decode op", "name", (v) => link.decode(x(v), received)],
    ["link.decode message", "opts", (v) => link.decode("getlink", x(v))],
    ["link.decode options", "opts", (v) => link.decode("getlink", received, x(v))],
    ["link.decode strict", "bool", (v) => link.decode("getlink", received, { strict: x(v) })],
    ["link.doSync op", "name", (v) => link.doSync(x(v))],
    ["link.doSync attrs", "opts", (v) => link.doSync("getlink", x(v))],
    ["link.doSync master", "u32", (v) => link.doSync("getlink", { master: x(v) })],
    ["link.do options", "opts", (v) => link.do("getlink", {}, x(v))],
    ["link.do ack", "bool", (v) => link.do("getlink", {}, { ack: x(v) })],
    ["link.do timeoutMs", "timeout", (v) => link.do("getlink", {}, { timeoutMs: x(v) })],
    ["link.request strict", "bool", (v) => link.request("getlink", {}, { strict: x(v) })],
    ["link.requestSync flags", "u16", (v) => link.requestSync("getlink", {}, { flags: x(v) })],
    ["link.dumpSync op", "name", (v) => link.dumpSync(x(v))],
    ["link.dumpSync options", "opts", (v) => link.dumpSync("getlink", {}, x(v))],
    ["link.dump attrs", "opts", (v) => link.dump("getlink", x(v)).next()],
    ["link.dump timeoutMs", "timeout", (v) => link.dump("getlink", {}, { timeoutMs: x(v) }).next()],
    ["link.subscribe groups", "arr", (v) => link.subscribe(x(v)).next()],
    ["link.subscribe group", "name", (v) => link.subscribe([x(v)]).next()],
    ["link.subscribe options", "opts", (v) => link.subscribe(undefined, x(v)).next()],
    ["link.subscribe signal", "signal", (v) => link.subscribe(undefined, { signal: x(v) }).next()],
    ["link.subscribe strict", "bool", (v) => link.subscribe(undefined, { strict: x(v) }).next()],
    // Namespace files
    ["openNamespace netns", "name", (v) => openNamespace(x(v), transport)],
    ["openNamespace transport", "opts", (v) => openNamespace("blue", x(v))],
    ["closeNamespace fd", "netnsFd", (v) => closeNamespace(x(v), transport)],
    ["closeNamespace transport", "opts", (v) => closeNamespace(100, x(v))],
    ["netnsPath", "name", (v) => netnsPath(x(v))],
    // Protocol helpers
    ["new MessageIterator data", "bytes", (v) => new MessageIterator(x(v))],
    ["new MessageIterator start", "u32", (v) => new MessageIterator(bytes, x(v))],
    ["new AttrIterator data", "bytes", (v) => new AttrIterator(x(v))],
    ["new AttrIterator end", "u32", (v) => new AttrIterator(bytes, 0, x(v))],
    ["decodeErrorMessage data", "bytes", (v) => decodeErrorMessage(x(v), 0, 36, 0)],
    ["decodeErrorMessage offset", "u32", (v) => decodeErrorMessage(bytes, x(v), 36, 0)],
    ["decodeDoneMessage length", "u32", (v) => decodeDoneMessage(bytes, 0, x(v), 0)],
    ["decodeExtAck end", "u32", (v) => decodeExtAck(bytes, 0, x(v))],
    ["decodeGenlHeader data", "bytes", (v) => decodeGenlHeader(x(v))],
    ["decodeGenlHeader offset", "u32", (v) => decodeGenlHeader(bytes, x(v))],
    ["encodeGenlHeader writer", "opts", (v) => encodeGenlHeader(x(v), { cmd: 1, version: 1 })],
    ["encodeGenlHeader header", "opts", (v) => encodeGenlHeader(new NetlinkWriter(), x(v))],
    [
      "encodeGenlHeader cmd",
      "u8",
      (v) => encodeGenlHeader(new NetlinkWriter(), { cmd: x(v), version: 1 }),
    ],
    ["align4", "u32", (v) => align4(x(v))],
    ["copyBytes offset", "u32", (v) => copyBytes(bytes, x(v), 1)],
    ["copyBytes length", "u32", (v) => copyBytes(bytes, 0, x(v))],
    ["readString data", "bytes", (v) => readString(x(v), 0, 1)],
    ["readString length", "u32", (v) => readString(bytes, 0, x(v))],
    ["MessageIterator reset", "u32", (v) => new MessageIterator(bytes).reset(0, x(v))],
    ["AttrIterator path", "str", (v) => new AttrIterator(bytes, 0, 8, x(v))],
    ["registerFamilySpec spec", "spec", (v) => registerFamilySpec(x(v))],
    ["familySpecFor name", "name", (v) => familySpecFor(x(v))],
    ["familySpecFor version", "u8", (v) => familySpecFor("nlts-x", x(v))],
    ["errnoName", "int", (v) => errnoName(x(v))],
    ["errnoMessage", "int", (v) => errnoMessage(x(v))],
    ["netlinkProtocolName", "u8", (v) => netlinkProtocolName(x(v))],
    ["defineFamily spec", "spec", (v) => defineFamily(x(v))],
    ["attrSet name", "label", (v) => attrSet(x(v), {})],
    ["attrSet fields", "opts", (v) => attrSet("a", x(v))],
    ["registerTrace spec", "spec", (v) => registerTrace(x(v), 16)],
    ["registerTrace id", "u16", (v) => registerTrace(nlctrl, x(v))],
  ];
  void ethtool;

  const failures: string[] = [];
  let calls = 0;
  for (const [name, kind, call] of entries) {
    for (const v of BAD[kind]) {
      calls++;
      const before = kernel.requests.length;
      let error: unknown;
      let returned: unknown;
      try {
        returned = call(v);
        if (returned instanceof Promise) returned = await returned;
      } catch (e) {
        error = e;
      }
      const label = `${name} ${describe(v)}`;
      if (kernel.requests.length !== before) {
        failures.push(`${label}: a request reached the kernel (${error ?? "no error"})`);
      } else if (error === undefined) {
        failures.push(`${label}: accepted`);
        close(returned);
      } else if (!(error instanceof TypeError || error instanceof RangeError)) {
        failures.push(`${label}: ${String(error)}`);
      } else if (!/^Cannot [^:]+: /.test(error.message) || RAW.some((r) => r.test(error.message))) {
        failures.push(`${label}: raw ${error.name}: ${error.message}`);
      }
    }
  }
  assert.deepEqual(failures, []);
  assert.ok(entries.length >= 288 && calls >= 2267, `${entries.length} entries, ${calls} calls`);
});

function describe(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "bigint") return `${v}n`;
  if (Array.isArray(v)) return `[${v.join(",")}]`;
  if (v instanceof ArrayBuffer) return "ArrayBuffer";
  if (v instanceof AbortController) return "AbortController";
  if (typeof v === "object" && v !== null) return JSON.stringify(v);
  return String(v);
}

/** Releases whatever a call that should have failed opened. */
function close(v: unknown): void {
  const c = v as { close?: () => void; return?: () => unknown } | null;
  try {
    if (typeof c?.close === "function") c.close();
    else if (typeof c?.return === "function") void c.return();
  } catch {
    // best effort
  }
}
