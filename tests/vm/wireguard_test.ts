// The wireguard family from its YNL spec (src/families/wireguard.ts, generated) against a real
// kernel, with wireguard-tools' `wg` as the independent peer: a device created in a test
// namespace gets its private key, listen port, fwmark and two peers (keys, endpoint, keepalive,
// allowed IPs) through set-device; get-device reads them back, and `wg show DEV dump` sees the
// same; what `wg set` changes, get-device sees. Needs the wireguard module (the QEMU guest's
// Debian kernel has it; the UML kernel and this host do not): skipped with a message elsewhere.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { GenlSocket } from "../../src/genl/mod.ts";
import { wireguard } from "../../src/families/wireguard.ts";
import { ipIn, tempNetns } from "../helpers/netns.ts";

/** Why this cannot run here, or undefined. */
function missing(): string | undefined {
  if (spawnSync("wg", ["--version"], { stdio: "ignore" }).status !== 0) {
    return "wg is absent (apt-get install wireguard-tools)";
  }
  spawnSync("modprobe", ["wireguard"], { stdio: "ignore" });
  using ns = tempNetns("nlts-wgprobe");
  const r = spawnSync("ip", ["-n", ns.name, "link", "add", "wg0", "type", "wireguard"], {
    encoding: "utf8",
  });
  return r.status === 0 ? undefined : `this kernel has no wireguard: ${r.stderr.trim()}`;
}

let why: string | undefined;
try {
  why = missing();
} catch (e) {
  why = `no test namespace: ${(e as Error).message}`;
}

const b64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));
const unb64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

function wg(ns: string, args: string[], input?: string): string {
  return execFileSync("ip", ["netns", "exec", ns, "wg", ...args], {
    encoding: "utf8",
    ...(input !== undefined ? { input } : {}),
  });
}

/** A fresh key pair from `wg genkey` / `wg pubkey`. */
function keyPair(ns: string): { priv: Uint8Array; pub: Uint8Array } {
  const priv = wg(ns, ["genkey"]).trim();
  return { priv: unb64(priv), pub: unb64(wg(ns, ["pubkey"], priv).trim()) };
}

/** struct sockaddr_in for 203.0.113.7:PORT (family in host order, port in network order). */
function sockaddrIn(port: number): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setUint16(0, 2, true);
  v.setUint16(2, port, false);
  b.set([203, 0, 113, 7], 4);
  return b;
}

test("wireguard: set-device, get-device and `wg show` agree", { timeout: 120_000 }, (t) => {
  if (why) return t.skip(why);
  using ns = tempNetns("nlts-wg");
  ipIn(ns.name, ["link", "add", "wg0", "type", "wireguard"]);
  using genl = GenlSocket.open({ netns: ns.name });
  const fam = genl.family(wireguard);
  const dev = keyPair(ns.name);
  const p1 = keyPair(ns.name);
  const p2 = keyPair(ns.name);
  const psk = unb64(wg(ns.name, ["genpsk"]).trim());
  fam.doSync("set-device", {
    ifname: "wg0",
    privateKey: dev.priv,
    listenPort: 51820,
    fwmark: 0x42,
    peers: [
      {
        publicKey: p1.pub,
        presharedKey: psk,
        endpoint: sockaddrIn(51821),
        persistentKeepaliveInterval: 25,
        allowedips: [
          { family: 2, ipaddr: "10.7.0.0", cidrMask: 24 },
          { family: 10, ipaddr: "fd07::", cidrMask: 64 },
        ],
      },
      { publicKey: p2.pub, allowedips: [{ family: 2, ipaddr: "10.8.0.2", cidrMask: 32 }] },
    ],
  });

  const [got, ...more] = fam.dumpSync("get-device", { ifname: "wg0" }).map((m) => m.attrs);
  assert.equal(more.length, 0);
  assert.equal(got.ifname, "wg0");
  assert.deepEqual(got.privateKey, dev.priv);
  assert.deepEqual(got.publicKey, dev.pub);
  assert.equal(got.listenPort, 51820);
  assert.equal(got.fwmark, 0x42);
  const peers = new Map((got.peers ?? []).map((p) => [b64(p.publicKey!), p]));
  assert.equal(peers.size, 2);
  const a = peers.get(b64(p1.pub))!;
  assert.deepEqual(a.presharedKey, psk);
  assert.deepEqual(a.endpoint, sockaddrIn(51821));
  assert.equal(a.persistentKeepaliveInterval, 25);
  assert.deepEqual(
    a.allowedips?.map((x) => `${x.ipaddr}/${x.cidrMask}`).sort(),
    ["10.7.0.0/24", "fd07::/64"],
  );
  const b = peers.get(b64(p2.pub))!;
  assert.deepEqual(b.presharedKey, new Uint8Array(32)); // none: the kernel reports zeros
  assert.deepEqual(b.allowedips?.map((x) => `${x.ipaddr}/${x.cidrMask}`), ["10.8.0.2/32"]);

  // `wg show wg0 dump`: the device line (private key, public key, port, fwmark), then one line
  // a peer (public key, preshared key, endpoint, allowed ips, handshake, rx, tx, keepalive)
  const [head, ...lines] = wg(ns.name, ["show", "wg0", "dump"]).trim().split("\n");
  assert.deepEqual(head.split("\t"), [b64(dev.priv), b64(dev.pub), "51820", "0x42"]);
  const shown = new Map(lines.map((l) => l.split("\t")).map((f) => [f[0], f]));
  assert.deepEqual(shown.get(b64(p1.pub))!.slice(1, 4), [
    b64(psk),
    "203.0.113.7:51821",
    [...a.allowedips!.map((x) => `${x.ipaddr}/${x.cidrMask}`)].join(","),
  ]);
  assert.equal(shown.get(b64(p1.pub))![7], "25");
  assert.deepEqual(shown.get(b64(p2.pub))!.slice(1, 4), ["(none)", "(none)", "10.8.0.2/32"]);
  assert.equal(shown.get(b64(p2.pub))![7], "off");
  for (const [key, f] of shown) {
    const p = peers.get(key)!;
    assert.equal(f[5], String(p.rxBytes));
    assert.equal(f[6], String(p.txBytes));
  }

  // the other way round: what `wg set` changes, get-device reads
  wg(ns.name, ["set", "wg0", "listen-port", "51999", "peer", b64(p2.pub), "remove"]);
  const [after] = fam.dumpSync("get-device", { ifname: "wg0" }).map((m) => m.attrs);
  assert.equal(after.listenPort, 51999);
  assert.deepEqual(after.peers?.map((p) => b64(p.publicKey!)), [b64(p1.pub)]);
});
