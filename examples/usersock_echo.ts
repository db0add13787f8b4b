/**
 * Two NETLINK_USERSOCK sockets in one process: a client sends requests to a server's port id,
 * the server echoes each payload back uppercased. Run:
 *
 *   deno run --allow-ffi examples/usersock_echo.ts
 *   bun examples/usersock_echo.ts
 *
 * @module
 */
import { NETLINK, NetlinkSocket, NetlinkWriter } from "../mod.ts";

const ECHO = 0x100; // a user message type (>= NLMSG_MIN_TYPE)
const text = new TextEncoder();
const read = new TextDecoder();

using server = NetlinkSocket.open(NETLINK.USERSOCK);
using client = NetlinkSocket.open(NETLINK.USERSOCK);

// The server answers every message it is sent, addressed to the sender's port id.
const serving = (async () => {
  const ac = new AbortController();
  let answered = 0;
  for await (const req of server.messages({ signal: ac.signal })) {
    const w = new NetlinkWriter();
    const m = w.beginMessage(ECHO, 0, req.seq, server.portid);
    w.putBytes(text.encode(read.decode(req.payload).toUpperCase()));
    w.endMessage(m);
    server.send(w.bytes(), { portid: req.pid });
    if (++answered === 3) ac.abort();
  }
})();

for (const word of ["hello", "netlink", "world"]) {
  const w = new NetlinkWriter();
  const m = w.beginMessage(ECHO, 0, client.nextSeq(), client.portid);
  w.putBytes(text.encode(word));
  w.endMessage(m);
  client.send(w.bytes(), { portid: server.portid });
  // Wait for the answer without blocking the event loop.
  for await (const reply of client.messages()) {
    console.log(`${word} -> ${read.decode(reply.payload)}`);
    break;
  }
}
await serving;
