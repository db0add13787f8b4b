// Host tests of the flow layer's text pieces: what the kernel sends printed as ovs-dpctl does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatFlowKey } from "../../src/ovs/odp_text.ts";

test("flow text: a kernel nsh mask with md1 under a key without md1 prints c1..c4 exact", () => {
  // What Linux 6.1 dumps for a flow installed as nsh(np=3): the key has no md1, the mask
  // does (zeros). ovs-dpctl 3.1 walks the key's attributes, so the mask's md1 is not seen.
  const key = {
    ethertype: 0x894f,
    nsh: { base: { flags: 0, ttl: 0, mdtype: 0, np: 3, pathHdr: 0 } },
  };
  const mask = {
    ethertype: 0xffff,
    nsh: {
      base: { flags: 0, ttl: 0, mdtype: 0, np: 255, pathHdr: 0 },
      md1: { context: [0, 0, 0, 0] },
    },
  };
  assert.equal(
    formatFlowKey(key, mask),
    "eth_type(0x894f),nsh(np=3,c1=0x0,c2=0x0,c3=0x0,c4=0x0)",
  );
  // With md1 in the key (mdtype 1), the mask's md1 applies.
  const key1 = {
    ...key,
    nsh: { base: { ...key.nsh.base, mdtype: 1 }, md1: { context: [1, 0, 0, 0] } },
  };
  const mask1 = { ...mask, nsh: { ...mask.nsh, base: { ...mask.nsh.base, mdtype: 0xff } } };
  assert.equal(formatFlowKey(key1, mask1), "eth_type(0x894f),nsh(mdtype=1,np=3)");
});
