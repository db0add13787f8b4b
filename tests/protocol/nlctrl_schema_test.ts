// The nlctrl schemas against replies captured from the kernel (strict decode, byte-exact
// re-encode), the genlmsghdr helpers, and the numbers against <linux/genetlink.h>.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import {
  type Decoded,
  DecodeError,
  MessageIterator,
  NetlinkWriter,
  NLM_F,
} from "../../src/protocol/mod.ts";
import { decodeGenlHeader, encodeGenlHeader, GENL_HDRLEN } from "../../src/genl/header.ts";
import {
  CTRL_ATTR,
  CTRL_ATTR_MCAST_GRP,
  CTRL_ATTR_OP,
  CTRL_ATTR_POLICY,
  CTRL_CMD,
  ctrlAttrs,
  GENL_ID_CTRL,
  GENL_OP_FLAG,
  NL_ATTR_TYPE,
  NL_POLICY_TYPE_ATTR,
} from "../../src/genl/nlctrl_schema.ts";
import {
  NLCTRL_GETFAMILY_REPLY,
  NLCTRL_POLICY_FAMILY_ID,
  NLCTRL_POLICY_FAMILY_NAME,
  NLCTRL_POLICY_OP,
} from "../fixtures/nlctrl_getfamily_reply.ts";
import { hex } from "./_helpers.ts";

type Ctrl = Decoded<typeof ctrlAttrs>;

/** Decodes the one generic netlink message in `bytes` with ctrlAttrs, strictly. */
function decodeReply(bytes: Uint8Array): { cmd: number; version: number; attrs: Ctrl } {
  const it = new MessageIterator(bytes);
  assert.ok(it.next());
  assert.equal(it.type, GENL_ID_CTRL);
  const { cmd, version } = decodeGenlHeader(bytes, it.payloadOffset);
  const attrs = ctrlAttrs.decode(bytes, it.payloadOffset + GENL_HDRLEN, it.messageEnd, {
    strict: true,
  });
  assert.equal(it.next(), false);
  return { cmd, version, attrs };
}

/** The attribute bytes of the one message in `bytes`. */
function attrBytes(bytes: Uint8Array): Uint8Array {
  return bytes.subarray(16 + GENL_HDRLEN);
}

function encoded(v: Ctrl): Uint8Array {
  const w = new NetlinkWriter();
  ctrlAttrs.encode(w, v);
  return w.copy();
}

test("nlctrl: the kernel's GETFAMILY reply for nlctrl decodes strictly", () => {
  const { cmd, version, attrs } = decodeReply(NLCTRL_GETFAMILY_REPLY);
  assert.equal(cmd, CTRL_CMD.NEWFAMILY);
  assert.equal(version, 2);
  assert.deepEqual(attrs, {
    familyName: "nlctrl",
    familyId: 16,
    version: 2,
    hdrsize: 0,
    maxattr: 0,
    ops: [
      { id: CTRL_CMD.GETFAMILY, flags: ["cmdCapDo", "cmdCapDump", "cmdCapHaspol"] },
      { id: CTRL_CMD.GETPOLICY, flags: ["cmdCapDump", "cmdCapHaspol"] },
    ],
    mcastGroups: [{ id: 16, name: "notify" }],
  });
  // typed access needs no casts
  const dumpable = attrs.ops?.filter((op) => op.flags?.includes("cmdCapDump")).map((op) => op.id);
  assert.deepEqual(dumpable, [3, 10]);
});

test("nlctrl: the decoded reply re-encodes to the kernel's bytes", () => {
  const { attrs } = decodeReply(NLCTRL_GETFAMILY_REPLY);
  assert.deepEqual(encoded(attrs), attrBytes(NLCTRL_GETFAMILY_REPLY));
});

test("nlctrl: GETPOLICY dump messages (op-policy and nested policy maps)", () => {
  const op = decodeReply(NLCTRL_POLICY_OP);
  assert.equal(op.cmd, CTRL_CMD.GETPOLICY);
  assert.deepEqual(op.attrs, {
    familyId: 16,
    opPolicy: [{ key: CTRL_CMD.GETFAMILY, value: { do: 0, dump: 0 } }],
  });
  const id = decodeReply(NLCTRL_POLICY_FAMILY_ID);
  assert.deepEqual(id.attrs, {
    familyId: 16,
    policy: [{
      key: 0,
      value: [{
        key: CTRL_ATTR.FAMILY_ID,
        value: { minValueU: 0n, maxValueU: 65535n, type: "u16" },
      }],
    }],
  });
  const name = decodeReply(NLCTRL_POLICY_FAMILY_NAME);
  assert.deepEqual(name.attrs, {
    familyId: 16,
    policy: [{
      key: 0,
      value: [{ key: CTRL_ATTR.FAMILY_NAME, value: { maxLength: 15, type: "nulString" } }],
    }],
  });
  for (const msg of [NLCTRL_POLICY_OP, NLCTRL_POLICY_FAMILY_ID, NLCTRL_POLICY_FAMILY_NAME]) {
    assert.deepEqual(encoded(decodeReply(msg).attrs), attrBytes(msg));
  }
});

test("nlctrl: a GETFAMILY request is built byte for byte", () => {
  const w = new NetlinkWriter(16);
  const m = w.beginMessage(GENL_ID_CTRL, NLM_F.REQUEST | NLM_F.ACK, 1);
  encodeGenlHeader(w, { cmd: CTRL_CMD.GETFAMILY, version: 1 });
  ctrlAttrs.encode(w, { familyName: "nlctrl" });
  w.endMessage(m);
  assert.deepEqual(
    w.bytes(),
    hex(
      "20 00 00 00", //             nlmsg_len 32
      "10 00 05 00", //             type 0x10 (nlctrl), flags REQUEST | ACK
      "01 00 00 00 00 00 00 00", // seq 1, pid 0
      "03 01 00 00", //             genlmsghdr: cmd 3 (GETFAMILY), version 1
      "0b 00 02 00", //             nla_len 11, type 2 (family-name)
      "6e 6c 63 74 72 6c 00 00", // "nlctrl\0" + padding
    ),
  );
  // a family name longer than GENL_NAMSIZ - 1 is refused before it reaches the kernel
  assert.throws(
    () => ctrlAttrs.encode(w, { familyName: "x".repeat(16) }),
    /Cannot encode ctrl-attrs\.family-name: the string is 16 bytes long, at most 15 fit/,
  );
});

test("nlctrl: unknown policy types and op flags keep their numbers", () => {
  const v: Ctrl = {
    ops: [{ id: 99, flags: ["adminPerm", 0x40] }],
    policy: [{ key: 1, value: [{ key: 2, value: { type: 42, mask: 0xffn } }] }],
  };
  const back = ctrlAttrs.decode(encoded(v));
  assert.deepEqual(back, v);
});

test("genl header: encode and decode, errors", () => {
  const w = new NetlinkWriter();
  encodeGenlHeader(w, { cmd: 10, version: 2 });
  assert.deepEqual(w.bytes(), hex("0a 02 00 00"));
  assert.deepEqual(decodeGenlHeader(hex("ff 01 02 00 00"), 1), { cmd: 1, version: 2, reserved: 0 });
  assert.throws(() => encodeGenlHeader(w, { cmd: 256, version: 1 }), RangeError);
  assert.throws(() => decodeGenlHeader(hex("01 02 00"), 0), DecodeError);
  assert.throws(() => decodeGenlHeader(hex("01 02 00 00"), 2), DecodeError);
});

// The uapi headers are the source of truth for the numbers. Debian 12's <linux/netlink.h>
// predates NL_ATTR_TYPE_SINT/UINT (Linux 6.8); those two are checked only when present.
function enumValues(header: string, prefix: string): Map<string, number> {
  const out = new Map<string, number>();
  const src = readFileSync(header, "utf8");
  for (const block of src.matchAll(/enum[^{]*\{([^}]*)\}/g)) {
    let next = 0;
    const body = block[1].replace(/\/\*[\s\S]*?\*\//g, "");
    const names = body.split(",").map((s) => s.trim()).filter((s) => s && !s.startsWith("#"));
    // the enum whose first entry is <prefix>UNSPEC (or INVALID)
    if (names[0] !== `${prefix}UNSPEC` && names[0] !== `${prefix}INVALID`) continue;
    for (const entry of names) {
      const [name, value] = entry.split("=").map((s) => s.trim());
      next = value !== undefined && /^\d+$/.test(value) ? Number(value) : next;
      if (name.startsWith(prefix) && !name.startsWith("__")) {
        out.set(name.slice(prefix.length), next);
      }
      next++;
    }
  }
  return out;
}

const GENETLINK_H = "/usr/include/linux/genetlink.h";
const NETLINK_H = "/usr/include/linux/netlink.h";

test("nlctrl: numbers match <linux/genetlink.h> and <linux/netlink.h>", {
  skip: !existsSync(GENETLINK_H) || !existsSync(NETLINK_H),
}, () => {
  const check = (file: string, prefix: string, ours: Record<string, number>) => {
    const theirs = enumValues(file, prefix);
    assert.ok(theirs.size > 0, `${prefix}* found in ${file}`);
    for (const [name, value] of theirs) {
      // nlctrl.yaml names no UNSPEC (0) entries: the generated constants have none
      if (name === "MAX" || name === "DUMP_MAX" || (name === "UNSPEC" && value === 0)) continue;
      assert.equal(ours[name], value, `${prefix}${name}`);
    }
    for (const [name, value] of Object.entries(ours)) {
      if (theirs.has(name)) continue;
      assert.ok(prefix === "NL_ATTR_TYPE_" && (name === "SINT" || name === "UINT"), name);
      assert.ok(value > Math.max(...theirs.values()));
    }
  };
  check(GENETLINK_H, "CTRL_CMD_", CTRL_CMD);
  check(GENETLINK_H, "CTRL_ATTR_OP_", CTRL_ATTR_OP);
  check(GENETLINK_H, "CTRL_ATTR_MCAST_GRP_", CTRL_ATTR_MCAST_GRP);
  check(GENETLINK_H, "CTRL_ATTR_POLICY_", CTRL_ATTR_POLICY);
  check(NETLINK_H, "NL_ATTR_TYPE_", NL_ATTR_TYPE);
  check(NETLINK_H, "NL_POLICY_TYPE_ATTR_", NL_POLICY_TYPE_ATTR);
  const ctrl = enumValues(GENETLINK_H, "CTRL_ATTR_");
  for (const [name, value] of Object.entries(CTRL_ATTR)) assert.equal(ctrl.get(name), value, name);
  const src = readFileSync(GENETLINK_H, "utf8");
  for (const [name, value] of Object.entries(GENL_OP_FLAG)) {
    const m = src.match(new RegExp(`#define\\s+GENL_${name}\\s+(0x[0-9a-fA-F]+|\\d+)`));
    assert.equal(Number(m?.[1]), value, `GENL_${name}`);
  }
  assert.match(src, /#define\s+GENL_ID_CTRL\s+NLMSG_MIN_TYPE/);
  assert.equal(GENL_ID_CTRL, 0x10);
});
