/* Baseline for `deno task bench`: a plain C CTRL_CMD_GETFAMILY round trip (request + reply +
 * ACK, attributes walked) and an all-families dump, with sendmsg/recvmsg on a netlink socket.
 * Build: cc -O2 -o genl_rtt genl_rtt.c ; run: ./genl_rtt ITERATIONS */
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static char buf[65536];

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int build(char *out, int seq, int dump) {
  struct nlmsghdr *nlh = (struct nlmsghdr *)out;
  struct genlmsghdr *g = (struct genlmsghdr *)(out + NLMSG_HDRLEN);
  int len = NLMSG_HDRLEN + GENL_HDRLEN;
  memset(out, 0, 64);
  nlh->nlmsg_type = GENL_ID_CTRL;
  nlh->nlmsg_flags = NLM_F_REQUEST | (dump ? NLM_F_DUMP : NLM_F_ACK);
  nlh->nlmsg_seq = seq;
  g->cmd = CTRL_CMD_GETFAMILY;
  g->version = 1;
  if (!dump) {
    struct nlattr *a = (struct nlattr *)(out + len);
    a->nla_type = CTRL_ATTR_FAMILY_NAME;
    a->nla_len = NLA_HDRLEN + 7;
    memcpy((char *)a + NLA_HDRLEN, "nlctrl", 7);
    len += NLA_ALIGN(a->nla_len);
  }
  nlh->nlmsg_len = len;
  return len;
}

/* Returns 1 when the exchange is over. Counts attributes to touch the data. */
static int walk(int n, int seq, long *attrs) {
  for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
    if (h->nlmsg_seq != (unsigned)seq) continue;
    if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) return 1;
    int alen = h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
    struct nlattr *a = (struct nlattr *)((char *)NLMSG_DATA(h) + GENL_HDRLEN);
    while (alen >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= alen) {
      (*attrs)++;
      alen -= NLA_ALIGN(a->nla_len);
      a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len));
    }
  }
  return 0;
}

static double run(int fd, int iters, int dump) {
  char req[64];
  long attrs = 0;
  struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
  double t0 = now_us();
  for (int i = 1; i <= iters; i++) {
    int len = build(req, i, dump);
    struct iovec iov = {req, len};
    struct msghdr mh = {.msg_name = &sa, .msg_namelen = sizeof sa, .msg_iov = &iov, .msg_iovlen = 1};
    if (sendmsg(fd, &mh, 0) < 0) { perror("sendmsg"); exit(1); }
    for (;;) {
      struct sockaddr_nl from;
      struct iovec riov = {buf, sizeof buf};
      struct msghdr rm = {.msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &riov, .msg_iovlen = 1};
      int n = recvmsg(fd, &rm, MSG_DONTWAIT);
      if (n < 0) { perror("recvmsg"); exit(1); }
      if (walk(n, i, &attrs)) break;
    }
  }
  double t = (now_us() - t0) / iters;
  if (attrs == 0) fprintf(stderr, "no attributes?\n");
  return t;
}

int main(int argc, char **argv) {
  int iters = argc > 1 ? atoi(argv[1]) : 100000;
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
  int one = 1;
  setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
  setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
  struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
  bind(fd, (struct sockaddr *)&sa, sizeof sa);
  run(fd, iters / 10, 0);
  printf("c getfamily_rtt_us %.2f\n", run(fd, iters, 0));
  printf("c dump_all_families_us %.2f\n", run(fd, iters / 20, 1));
  return 0;
}
