// Child of links_test.ts: run without CAP_NET_ADMIN over the host's network namespace (in a
// user namespace of its own), tries to add a link and prints the error it gets as JSON.
import { NetlinkError } from "../../mod.ts";
import { RouteClient } from "../../src/route/mod.ts";

using rt = RouteClient.open();
try {
  rt.addLinkSync({ kind: "bridge", name: "nlts-eperm0" });
  console.log(JSON.stringify({ name: "none" }));
} catch (e) {
  const n = e instanceof NetlinkError;
  console.log(JSON.stringify({
    name: n ? "NetlinkError" : String(e),
    code: n ? e.code : undefined,
    operation: n ? e.operation : undefined,
  }));
}
