// The text round trip of a decoded flow (issue 15, item 7), shared by the round-trip test and
// the fuzz targets: formatFlow's text parses back with parseFlow, and printing what was parsed
// gives the same text again (idempotence). A flow printed without a mask (none, or an empty
// one) is compared printed without a mask again: the text does not say whether there was one.
import { NetlinkWriter } from "../../src/protocol/writer.ts";
import {
  type DatapathFlow,
  decodeActions,
  decodeFlowKey,
  encodeActions,
  encodeFlowKey,
  flowAttrs,
  formatActions,
  formatFlow,
  formatFlowKey,
  parseActions,
  parseFlow,
  parseFlowKey,
} from "./_ovs.ts";

/** A failed round trip: what was printed, and what went wrong. */
export class RoundTripError extends Error {
  constructor(readonly text: string, detail: string) {
    super(`${detail}\n  text: ${text.length > 2000 ? `${text.slice(0, 2000)}...` : text}`);
    this.name = "RoundTripError";
  }
}

function unmasked(mask: object | undefined): boolean {
  return mask === undefined || Object.keys(mask).length === 0;
}

/** What parses must encode (the parsers accept only what can be sent). */
function encodes(text: string, f: () => unknown): void {
  try {
    f();
  } catch (e) {
    throw new RoundTripError(text, `parsed, but does not encode: ${e}`);
  }
}

/**
 * Checks the round trip of a decoded flow through formatFlow/parseFlow (and of its key and
 * actions through formatFlowKey/parseFlowKey, formatActions/parseActions). Throws
 * RoundTripError.
 */
export function checkFlowRoundTrip(flow: DatapathFlow, verbose: boolean): void {
  const noMask = unmasked(flow.mask);
  const t1 = formatFlow(flow, { verbose, now: 1000n });
  let p;
  try {
    p = parseFlow(t1);
  } catch (e) {
    throw new RoundTripError(t1, `does not parse back: ${e}`);
  }
  encodes(t1, () => {
    const w = new NetlinkWriter();
    flowAttrs.encode(w, { key: p.key, mask: p.mask, actions: p.actions });
  });
  const again: DatapathFlow = { key: p.key, actions: p.actions };
  if (!noMask) again.mask = p.mask;
  if (p.ufid !== undefined) again.ufid = p.ufid;
  if (flow.stats !== undefined) again.stats = flow.stats;
  if (flow.tcpFlags !== undefined) again.tcpFlags = flow.tcpFlags;
  if (flow.used !== undefined) again.used = flow.used;
  const t2 = formatFlow(again, { verbose, now: 1000n });
  if (t2 !== t1) throw new RoundTripError(t1, `prints differently once parsed:\n  again: ${t2}`);

  // The key alone, and the actions alone.
  const key = flow.key ?? {};
  const k1 = formatFlowKey(key, noMask ? undefined : flow.mask, { verbose });
  let pk;
  try {
    pk = parseFlowKey(k1);
  } catch (e) {
    throw new RoundTripError(k1, `the key does not parse back: ${e}`);
  }
  encodes(k1, () => (encodeFlowKey(pk.key), encodeFlowKey(pk.mask)));
  const k2 = formatFlowKey(pk.key, noMask ? undefined : pk.mask, { verbose });
  if (k2 !== k1) throw new RoundTripError(k1, `the key prints differently:\n  again: ${k2}`);
  const a1 = formatActions(flow.actions ?? []);
  let pa;
  try {
    pa = parseActions(a1);
  } catch (e) {
    throw new RoundTripError(a1, `the actions do not parse back: ${e}`);
  }
  const bytes = encodeActions(pa);
  const a2 = formatActions(decodeActions(bytes));
  if (a2 !== a1) throw new RoundTripError(a1, `the actions print differently:\n  again: ${a2}`);
  // and what parsed decodes from its bytes to the same text
  const k3 = formatFlowKey(decodeFlowKey(encodeFlowKey(pk.key)), undefined, { verbose });
  const k4 = formatFlowKey(pk.key, undefined, { verbose });
  if (k3 !== k4) throw new RoundTripError(k1, `the parsed key re-decodes differently: ${k3}`);
}
