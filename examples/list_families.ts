/**
 * Lists the kernel's generic netlink families through the typed controller: id, name, version,
 * operations and multicast groups. Run:
 *
 *   deno run --allow-ffi examples/list_families.ts
 *   bun examples/list_families.ts
 *
 * @module
 */
import { Controller } from "../src/genl/mod.ts";

using ctrl = Controller.open();
for (const f of await ctrl.listFamilies()) {
  const groups = f.groups.map((g) => g.name).join(",") || "-";
  console.log(
    `${f.id.toString().padStart(3)} ${
      f.name.padEnd(16)
    } v${f.version} ops=${f.ops.length} groups=${groups}`,
  );
}
