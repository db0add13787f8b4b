/**
 * Lists the kernel's generic netlink families with a raw CTRL_CMD_GETFAMILY dump: messages and
 * attributes built and walked by hand, no schema. Run:
 *
 *   deno run --allow-ffi examples/raw_nlctrl.ts
 *   bun examples/raw_nlctrl.ts
 *
 * @module
 */
import { AttrIterator, NETLINK, NetlinkSocket, NetlinkWriter, readString } from "../mod.ts";

const GENL_ID_CTRL = 0x10;
const CTRL_CMD_GETFAMILY = 3;
const CTRL_ATTR_FAMILY_ID = 1;
const CTRL_ATTR_FAMILY_NAME = 2;
const CTRL_ATTR_VERSION = 3;

using sock = NetlinkSocket.open(NETLINK.GENERIC);
const w = new NetlinkWriter();
const m = w.beginMessage(GENL_ID_CTRL, 0);
w.putU8(CTRL_CMD_GETFAMILY).putU8(1).putU16(0); // genlmsghdr
w.endMessage(m);

for await (const msg of sock.dump(w.copy(), { operation: "nlctrl.getfamily" })) {
  let id = 0, name = "", version = 0;
  // Attributes start after the 4-byte genlmsghdr.
  for (const it = new AttrIterator(msg.payload, 4); it.next();) {
    if (it.type === CTRL_ATTR_FAMILY_ID) id = it.view.getUint16(it.offset, true);
    else if (it.type === CTRL_ATTR_FAMILY_NAME) {
      name = readString(msg.payload, it.offset, it.length);
    } else if (it.type === CTRL_ATTR_VERSION) version = it.view.getUint32(it.offset, true);
  }
  console.log(`0x${id.toString(16).padStart(4, "0")} ${name} v${version}`);
}
