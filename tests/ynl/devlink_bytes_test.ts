// devlink requests byte for byte against the kernel's own YNL library (tools/net/ynl/lib of
// linux-source-6.12, extracted into .cache/ynl by scripts/test.sh): the same JSON input (as
// `cli.py --json` takes it) is encoded by the kernel library's YnlFamily._encode_message, the
// function its do/dump send, and by nlts (the request converted as `nlts ynl` converts it,
// then framed by Family.encode of the family loaded from the same spec file, and of the
// generated module), with the same family id, flags and sequence number; the messages must be
// identical. devlink has no device on this host or in the VM guest (no netdevsim), so this is
// how its requests are checked; the guest's empty dump is in tests/vm/ynl_families_test.ts.
// Runs on the host: the family id is the one a FakeKernel gives devlink, handed to the kernel
// library instead of asking nlctrl (which knows no devlink here).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { GenlSocket } from "../../src/genl/mod.ts";
import { Buffer } from "node:buffer";
import { NLM_F, NLM_F_GET } from "../../src/protocol/mod.ts";
import { FakeKernel } from "../../src/testing/mod.ts";
import { loadGenlSpec } from "../../src/ynl/mod.ts";
import { YnlJson } from "../../src/ynl/json.ts";
import { devlink } from "../../src/families/devlink.ts";

const ROOT = join(import.meta.dirname!, "..", "..");
const SOURCE = join(ROOT, ".cache", "ynl", "linux-source-6.12");
const YNL_DIR = join(SOURCE, "tools", "net", "ynl");
const SPEC = join(SOURCE, "Documentation", "netlink", "specs", "devlink.yaml");

function missing(): string | undefined {
  if (!existsSync(join(YNL_DIR, "lib", "ynl.py")) || !existsSync(SPEC)) {
    return `${YNL_DIR}/lib is absent (scripts/test.sh extracts it from linux-source-6.12)`;
  }
  const py = spawnSync("python3", ["-c", "import yaml"], { stdio: "ignore" });
  return py.status === 0 ? undefined : "python3 with python3-yaml is absent";
}
const WHY = missing();

/** The kernel library's encoding: hex of each [op, json, dump] request (seq 1). */
const ENCODE_PY = `
import json, sys
sys.path.insert(0, sys.argv[1])
from lib import ynl as Y
Y.genl_family_name_to_id = {"devlink": {"id": int(sys.argv[3]), "mcast": {}}}
fam = Y.YnlFamily(sys.argv[2])
out = []
for op, vals, dump in json.loads(sys.stdin.read()):
    flags = [Y.Netlink.NLM_F_DUMP] if dump else []
    out.append(fam._encode_message(fam.ops[op], vals, flags, 1).hex())
print(json.dumps(out))
`;

type Req = [op: string, json: Record<string, unknown>, dump: boolean];

/** Requests over the constructs devlink's requests use: strings, u8..u64, enums, nests, flags. */
const REQUESTS: Req[] = [
  ["get", {}, true],
  ["get", { "bus-name": "netdevsim", "dev-name": "netdevsim1" }, false],
  ["port-get", { "bus-name": "netdevsim", "dev-name": "netdevsim1" }, true],
  ["port-get", { "bus-name": "pci", "dev-name": "0000:01:00.0", "port-index": 3 }, false],
  ["port-set", {
    "bus-name": "pci",
    "dev-name": "0000:01:00.0",
    "port-index": 7,
    "port-type": "eth",
  }, false],
  ["port-new", {
    "bus-name": "pci",
    "dev-name": "0000:01:00.0",
    "port-index": 9,
    "port-flavour": "pci_sf",
  }, false],
  ["sb-pool-set", {
    "bus-name": "pci",
    "dev-name": "0000:01:00.0",
    "sb-index": 0,
    "sb-pool-index": 1,
    "sb-pool-threshold-type": "dynamic",
    "sb-pool-size": 65536,
  }, false],
  ["eswitch-set", {
    "bus-name": "pci",
    "dev-name": "0000:01:00.0",
    "eswitch-mode": "switchdev",
    "eswitch-inline-mode": "transport",
    "eswitch-encap-mode": "basic",
  }, false],
  ["reload", {
    "bus-name": "netdevsim",
    "dev-name": "netdevsim1",
    "reload-action": "fw-activate",
    "reload-limits": { value: 2, selector: 2 },
    "netns-pid": 1,
  }, false],
  ["rate-new", {
    "bus-name": "pci",
    "dev-name": "0000:01:00.0",
    "rate-node-name": "group1",
    "rate-tx-share": 1000000000000,
    "rate-tx-max": 5000000,
  }, false],
  ["selftests-run", {
    "bus-name": "pci",
    "dev-name": "0000:01:00.0",
    "selftests": { flash: true },
  }, false],
];

test("ynl devlink: requests are the kernel YNL library's bytes", { timeout: 60_000 }, (t) => {
  if (WHY) return t.skip(WHY);
  const kernel = new FakeKernel();
  const { id } = kernel.serveFamily(devlink, {});
  const r = spawnSync("python3", ["-c", ENCODE_PY, YNL_DIR, SPEC, String(id)], {
    input: JSON.stringify(REQUESTS),
    encoding: "utf8",
  });
  assert.equal(r.status, 0, r.stderr);
  const theirs = (JSON.parse(r.stdout) as string[]).map((h) =>
    Uint8Array.from(h.match(/../g)!, (b) => parseInt(b, 16))
  );
  assert.equal(theirs.length, REQUESTS.length);

  using genl = GenlSocket.open({ transport: kernel });
  const loaded = loadGenlSpec(SPEC);
  const json = new YnlJson(loaded.ynl.model);
  const families = [genl.family(loaded), genl.family(devlink)];
  REQUESTS.forEach(([op, input, dump], i) => {
    const attrs = json.toRequest("devlink", input).attrs;
    const flags = NLM_F.REQUEST | NLM_F.ACK | (dump ? NLM_F_GET.DUMP : 0);
    for (const fam of families) {
      // deno-lint-ignore no-explicit-any
      const ours = (fam as any).encode(op, attrs, { flags, seq: 1 }) as Uint8Array;
      assert.deepEqual(
        Buffer.from(ours).toString("hex"),
        Buffer.from(theirs[i]).toString("hex"),
        `${op} ${JSON.stringify(input)} (${fam === families[0] ? "loaded" : "generated"})`,
      );
    }
  });
});
