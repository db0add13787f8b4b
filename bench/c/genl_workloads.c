/* The C floor of bench/genl_bench.ts: the four workloads of issue 14 with sendmsg/recvmsg on one
 * generic netlink socket and a hand-written attribute walk, one timed round per process (the
 * driver interleaves the clients and takes medians). Each workload prints
 * `c WORKLOAD US_PER_OP CHECKSUM CPU_US_PER_OP` (wall time, then the process's CPU time); the
 * checksums are the values every client must decode alike:
 * - getfamily: CTRL_CMD_GETFAMILY "nlctrl" with ACK; "id:ops";
 * - families: CTRL_CMD_GETFAMILY dump; "families:sum of ids:sum of ops";
 * - features: ETHTOOL_MSG_FEATURES_GET dump (verbose bitsets); "devices:sum of ifindex:bits:set";
 * - netdev: NETDEV_CMD_DEV_GET dump; "devices:sum of ifindex:xdp feature bits".
 * Runs in the current network namespace (the driver uses `ip netns exec`).
 * Build: cc -O2 -o genl_workloads genl_workloads.c ; run: ./genl_workloads RTT FAMS FEATS NETDEVS */
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "genl_util.h"

/* linux/netdev.h is missing from older uapi headers */
#define NETDEV_CMD_DEV_GET 1
#define NETDEV_A_DEV_IFINDEX 1
#define NETDEV_A_DEV_XDP_FEATURES 3

static char buf[1 << 20];
static int fd;

struct sums {
  long n, a, b, c;
};

#define FOR_ATTRS(a, p, len)                                                                   \
  for (const struct nlattr *a = (const struct nlattr *)(p); (len) >= NLA_HDRLEN &&             \
                                                            a->nla_len >= NLA_HDRLEN &&        \
                                                            a->nla_len <= (len);               \
       (len) -= NLA_ALIGN(a->nla_len), a = (const struct nlattr *)((const char *)a +           \
                                                                   NLA_ALIGN(a->nla_len)))
#define DATA(a) ((const char *)(a) + NLA_HDRLEN)
#define DLEN(a) ((int)(a)->nla_len - NLA_HDRLEN)
#define TYPE(a) ((a)->nla_type & NLA_TYPE_MASK)

static void family_msg(const char *p, int len, struct sums *s) {
  s->n++;
  FOR_ATTRS(a, p, len) {
    if (TYPE(a) == CTRL_ATTR_FAMILY_ID) s->a += *(const unsigned short *)DATA(a);
    if (TYPE(a) == CTRL_ATTR_OPS) {
      int olen = DLEN(a);
      FOR_ATTRS(o, DATA(a), olen) s->b++;
    }
  }
}

static void features_msg(const char *p, int len, struct sums *s) {
  s->n++;
  FOR_ATTRS(a, p, len) {
    int alen = DLEN(a);
    if (TYPE(a) == ETHTOOL_A_FEATURES_HEADER) {
      FOR_ATTRS(h, DATA(a), alen) if (TYPE(h) == ETHTOOL_A_HEADER_DEV_INDEX) s->a +=
          *(const unsigned *)DATA(h);
    } else if (TYPE(a) >= ETHTOOL_A_FEATURES_HW && TYPE(a) <= ETHTOOL_A_FEATURES_NOCHANGE) {
      FOR_ATTRS(set, DATA(a), alen) {
        if (TYPE(set) != ETHTOOL_A_BITSET_BITS) continue;
        int blen = DLEN(set);
        FOR_ATTRS(bit, DATA(set), blen) {
          s->b++;
          int len2 = DLEN(bit);
          /* name, index and value read as a decoder would */
          FOR_ATTRS(f, DATA(bit), len2) if (TYPE(f) == ETHTOOL_A_BITSET_BIT_VALUE) s->c++;
        }
      }
    }
  }
}

static void netdev_msg(const char *p, int len, struct sums *s) {
  s->n++;
  FOR_ATTRS(a, p, len) {
    if (TYPE(a) == NETDEV_A_DEV_IFINDEX) s->a += *(const unsigned *)DATA(a);
    if (TYPE(a) == NETDEV_A_DEV_XDP_FEATURES) {
      unsigned long long v;
      memcpy(&v, DATA(a), 8);
      s->b += __builtin_popcountll(v);
    }
  }
}

/* One request and its replies; 0 on success. */
static int exchange(int type, int cmd, int version, int flags, const char *attrs, int alen,
                    unsigned seq, void (*msg)(const char *, int, struct sums *), struct sums *s) {
  char req[128] = {0};
  struct nlmsghdr *h = (struct nlmsghdr *)req;
  struct genlmsghdr *g = (struct genlmsghdr *)NLMSG_DATA(h);
  memcpy((char *)g + GENL_HDRLEN, attrs, alen);
  h->nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN + alen;
  h->nlmsg_type = type;
  h->nlmsg_flags = NLM_F_REQUEST | flags;
  h->nlmsg_seq = seq;
  g->cmd = cmd;
  g->version = version;
  struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
  struct iovec iov = {req, h->nlmsg_len};
  struct msghdr mh = {.msg_name = &sa, .msg_namelen = sizeof sa, .msg_iov = &iov, .msg_iovlen = 1};
  if (sendmsg(fd, &mh, 0) < 0) return -1;
  for (;;) {
    struct sockaddr_nl from;
    struct iovec riov = {buf, sizeof buf};
    struct msghdr rm = {.msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &riov,
                        .msg_iovlen = 1};
    int n = recvmsg(fd, &rm, 0);
    if (n < 0) return -1;
    for (struct nlmsghdr *r = (struct nlmsghdr *)buf; NLMSG_OK(r, n); r = NLMSG_NEXT(r, n)) {
      if (r->nlmsg_seq != seq) continue;
      if (r->nlmsg_type == NLMSG_DONE) return 0;
      if (r->nlmsg_type == NLMSG_ERROR) return ((struct nlmsgerr *)NLMSG_DATA(r))->error;
      msg((char *)NLMSG_DATA(r) + GENL_HDRLEN, r->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN, s);
    }
  }
}

static int put_attr(char *p, int type, const void *data, int len) {
  struct nlattr *a = (struct nlattr *)p;
  a->nla_type = type;
  a->nla_len = NLA_HDRLEN + len;
  memcpy(p + NLA_HDRLEN, data, len);
  memset(p + NLA_HDRLEN + len, 0, NLA_ALIGN(len) - len);
  return NLA_ALIGN(a->nla_len);
}

int main(int argc, char **argv) {
  if (argc < 5) return 2;
  int iters[4] = {atoi(argv[1]), atoi(argv[2]), atoi(argv[3]), atoi(argv[4])};
  fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
  int one = 1;
  setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
  setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
  struct sockaddr_nl self = {.nl_family = AF_NETLINK};
  if (fd < 0 || bind(fd, (struct sockaddr *)&self, sizeof self) < 0) return 1;
  int ethtool = family_id(fd, "ethtool", buf, sizeof buf);
  int netdev = family_id(fd, "netdev", buf, sizeof buf);
  if (ethtool < 0 || netdev < 0) return 1;

  char nlctrl[16], none[1], header[16];
  int nlctrl_len = put_attr(nlctrl, CTRL_ATTR_FAMILY_NAME, "nlctrl", 7);
  unsigned flags = 0;
  char inner[8];
  int inner_len = put_attr(inner, ETHTOOL_A_HEADER_FLAGS, &flags, 4);
  int header_len = put_attr(header, ETHTOOL_A_FEATURES_HEADER | NLA_F_NESTED, inner, inner_len);
  struct {
    const char *name;
    int type, cmd, version, flags;
    const char *attrs;
    int alen;
    void (*msg)(const char *, int, struct sums *);
  } w[4] = {
      {"getfamily", GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 2, NLM_F_ACK, nlctrl, nlctrl_len, family_msg},
      {"families", GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 2, NLM_F_DUMP, none, 0, family_msg},
      {"features", ethtool, ETHTOOL_MSG_FEATURES_GET, 1, NLM_F_DUMP, header, header_len,
       features_msg},
      {"netdev", netdev, NETDEV_CMD_DEV_GET, 1, NLM_F_DUMP, none, 0, netdev_msg},
  };
  unsigned seq = 10;
  for (int i = 0; i < 4; i++) {
    struct sums s = {0};
    /* warm-up: a tenth of the count and at least the JavaScript clients' 1500 ms */
    double warm = now_ms() + warmup_ms();
    for (int k = 0; k < iters[i] / 10 + 1 || now_ms() < warm; k++) {
      memset(&s, 0, sizeof s);
      if (exchange(w[i].type, w[i].cmd, w[i].version, w[i].flags, w[i].attrs, w[i].alen, seq++,
                   w[i].msg, &s) != 0) {
        fprintf(stderr, "%s failed\n", w[i].name);
        return 1;
      }
    }
    struct sums one_run = s, t = {0};
    double t0 = now_ms(), c0 = cpu_ms();
    for (int k = 0; k < iters[i]; k++) {
      memset(&t, 0, sizeof t);
      exchange(w[i].type, w[i].cmd, w[i].version, w[i].flags, w[i].attrs, w[i].alen, seq++,
               w[i].msg, &t);
    }
    double us = (now_ms() - t0) * 1000 / iters[i], cpu = (cpu_ms() - c0) * 1000 / iters[i];
    if (memcmp(&t, &one_run, sizeof t) != 0) fprintf(stderr, "%s: results differ\n", w[i].name);
    if (i == 0) printf("c %s %.3f %ld:%ld %.3f\n", w[i].name, us, t.a, t.b, cpu);
    else if (i == 1) printf("c %s %.3f %ld:%ld:%ld %.3f\n", w[i].name, us, t.n, t.a, t.b, cpu);
    else if (i == 2) {
      printf("c %s %.3f %ld:%ld:%ld:%ld %.3f\n", w[i].name, us, t.n, t.a, t.b, t.c, cpu);
    } else printf("c %s %.3f %ld:%ld:%ld %.3f\n", w[i].name, us, t.n, t.a, t.b, cpu);
    fflush(stdout);
  }
  return 0;
}
