/**
 * What the replay benchmarks (bench/genl_replay.ts, bench/ovs_flow_replay.ts) share: handing a
 * recorded datagram back as the reply to a new request.
 *
 * @module
 */

/**
 * Writes `seq` as the sequence number of every netlink message in `buf[0, length)` (a recorded
 * datagram copied there), so that the socket takes it as the reply to the request it just sent.
 * Stops at a message header shorter than 16 bytes.
 */
export function stampSeq(buf: Uint8Array, length: number, seq: number): void {
  for (let o = 0, len = 0; o + 16 <= length; o += (len + 3) & ~3) {
    len = buf[o] | (buf[o + 1] << 8) | (buf[o + 2] << 16);
    if (len < 16) break;
    buf[o + 8] = seq & 0xff;
    buf[o + 9] = (seq >>> 8) & 0xff;
    buf[o + 10] = (seq >>> 16) & 0xff;
    buf[o + 11] = seq >>> 24;
  }
}
