/* libnl-genl baseline for `deno task bench`: genl_ctrl_resolve() is a complete
 * CTRL_CMD_GETFAMILY round trip (request, reply parsed with genlmsg_parse, ACK) in libnl.
 * Build: cc -O2 libnl_rtt.c $(pkg-config --cflags --libs libnl-genl-3.0) */
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

int main(int argc, char **argv) {
  int iters = argc > 1 ? atoi(argv[1]) : 100000;
  struct nl_sock *sk = nl_socket_alloc();
  if (!sk || genl_connect(sk) < 0) {
    fprintf(stderr, "cannot connect\n");
    return 1;
  }
  for (int i = 0; i < iters / 10; i++) genl_ctrl_resolve(sk, "nlctrl");
  double t0 = now_us();
  for (int i = 0; i < iters; i++) {
    if (genl_ctrl_resolve(sk, "nlctrl") != 0x10) {
      fprintf(stderr, "bad id\n");
      return 1;
    }
  }
  printf("libnl getfamily_rtt_us %.2f\n", (now_us() - t0) / iters);
  nl_socket_free(sk);
  return 0;
}
