// Child process for exit_test.ts: does one kind of wait, prints its outcome, then returns
// without calling exit(). The parent checks that the process ends on its own.
import process from "node:process";
import { AF, decodeSockaddrNl, EFD, encodeSockaddrNl, getLibc, SOCK } from "../../src/ffi/mod.ts";

const c = getLibc();
const mode = process.argv[process.argv.length - 1];

function bound(): { fd: number; portid: number } {
  const fd = c.socket(AF.NETLINK, SOCK.RAW | SOCK.NONBLOCK | SOCK.CLOEXEC, 2).ret;
  c.bind(fd, encodeSockaddrNl(0));
  const name = new Uint8Array(12);
  c.getsockname(fd, name);
  return { fd, portid: decodeSockaddrNl(name).pid };
}

function signal(efd: number): void {
  c.write(efd, Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0));
}

const a = bound();
const b = bound();
const efd = c.eventfd(0, EFD.NONBLOCK | EFD.CLOEXEC).ret;

if (mode === "readable") {
  setTimeout(() => c.sendto(a.fd, Uint8Array.of(1), encodeSockaddrNl(b.portid), 0), 20);
  console.log(await c.waitReadable(b.fd, efd, -1));
} else if (mode === "cancel-then-close") {
  // The shutdown order a socket's close() uses: write the eventfd, then close the fd.
  setTimeout(() => {
    signal(efd);
    c.close(b.fd);
  }, 20);
  console.log(await c.waitReadable(b.fd, efd, -1));
} else if (mode === "unawaited") {
  // Nobody awaits the wait; cancelling it must still let the process end.
  c.waitReadable(b.fd, efd, -1).then((r) => console.log(r));
  setTimeout(() => signal(efd), 20);
} else if (mode === "pending") {
  // Never cancelled: the wait must keep the process alive (the parent kills it).
  console.log("waiting");
  console.log(await c.waitReadable(b.fd, efd, -1));
} else if (mode === "timeout") {
  console.log(await c.waitReadable(b.fd, -1, 10));
}
c.close(a.fd);
