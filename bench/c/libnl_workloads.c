/* libnl-genl client of bench/genl_bench.ts: the four workloads of genl_workloads.c, each reply
 * parsed the libnl way (genlmsg_parse into an attribute table, nla_for_each_nested for the
 * nests), requests built with genlmsg_put, the ACK of the round trip awaited with
 * nl_wait_for_ack as genl_ctrl_resolve does (auto-ACK off: dumps are asked without NLM_F_ACK,
 * as the other clients do). Prints `libnl WORKLOAD US_PER_OP CHECKSUM CPU_US_PER_OP` with the
 * checksums of genl_workloads.c.
 * Build: cc -O2 libnl_workloads.c $(pkg-config --cflags --libs libnl-genl-3.0) ;
 * run: ./libnl_workloads RTT FAMS FEATS NETDEVS */
#include <linux/ethtool_netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define NETDEV_CMD_DEV_GET 1
#define NETDEV_A_DEV_IFINDEX 1
#define NETDEV_A_DEV_XDP_FEATURES 3
#define NETDEV_A_DEV_MAX 6

struct sums {
  long n, a, b, c;
};

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* CPU time of the process so far (user and system), as in genl_util.h */
static double cpu_ms(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

static int family_cb(struct nl_msg *msg, void *arg) {
  struct sums *s = arg;
  struct nlattr *tb[CTRL_ATTR_MAX + 1];
  if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, CTRL_ATTR_MAX, NULL) < 0) return NL_SKIP;
  s->n++;
  if (tb[CTRL_ATTR_FAMILY_ID]) s->a += nla_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
  if (tb[CTRL_ATTR_OPS]) {
    struct nlattr *op;
    int rem;
    nla_for_each_nested(op, tb[CTRL_ATTR_OPS], rem) {
      struct nlattr *ot[CTRL_ATTR_OP_MAX + 1];
      if (nla_parse_nested(ot, CTRL_ATTR_OP_MAX, op, NULL) == 0) s->b++;
    }
  }
  return NL_OK;
}

static int features_cb(struct nl_msg *msg, void *arg) {
  struct sums *s = arg;
  struct nlattr *tb[ETHTOOL_A_FEATURES_MAX + 1];
  if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, ETHTOOL_A_FEATURES_MAX, NULL) < 0) return NL_SKIP;
  s->n++;
  if (tb[ETHTOOL_A_FEATURES_HEADER]) {
    struct nlattr *h[ETHTOOL_A_HEADER_MAX + 1];
    if (nla_parse_nested(h, ETHTOOL_A_HEADER_MAX, tb[ETHTOOL_A_FEATURES_HEADER], NULL) == 0 &&
        h[ETHTOOL_A_HEADER_DEV_INDEX])
      s->a += nla_get_u32(h[ETHTOOL_A_HEADER_DEV_INDEX]);
  }
  for (int i = ETHTOOL_A_FEATURES_HW; i <= ETHTOOL_A_FEATURES_NOCHANGE; i++) {
    struct nlattr *set[ETHTOOL_A_BITSET_MAX + 1], *bit;
    int rem;
    if (!tb[i] || nla_parse_nested(set, ETHTOOL_A_BITSET_MAX, tb[i], NULL) < 0 ||
        !set[ETHTOOL_A_BITSET_BITS])
      continue;
    nla_for_each_nested(bit, set[ETHTOOL_A_BITSET_BITS], rem) {
      struct nlattr *b[ETHTOOL_A_BITSET_BIT_MAX + 1];
      if (nla_parse_nested(b, ETHTOOL_A_BITSET_BIT_MAX, bit, NULL) < 0) continue;
      s->b++;
      if (b[ETHTOOL_A_BITSET_BIT_VALUE]) s->c++;
    }
  }
  return NL_OK;
}

static int netdev_cb(struct nl_msg *msg, void *arg) {
  struct sums *s = arg;
  struct nlattr *tb[NETDEV_A_DEV_MAX + 1];
  if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, NETDEV_A_DEV_MAX, NULL) < 0) return NL_SKIP;
  s->n++;
  if (tb[NETDEV_A_DEV_IFINDEX]) s->a += nla_get_u32(tb[NETDEV_A_DEV_IFINDEX]);
  if (tb[NETDEV_A_DEV_XDP_FEATURES])
    s->b += __builtin_popcountll(nla_get_u64(tb[NETDEV_A_DEV_XDP_FEATURES]));
  return NL_OK;
}

static struct nl_sock *sk;
static int done;

static int finish_cb(struct nl_msg *msg, void *arg) {
  (void)msg, (void)arg;
  done = 1;
  return NL_STOP;
}

static int run(int w, int family, struct sums *s) {
  struct nl_msg *msg = nlmsg_alloc();
  int rc = -1;
  nl_recvmsg_msg_cb_t cb = w < 2 ? family_cb : w == 2 ? features_cb : netdev_cb;
  int cmd = w < 2 ? CTRL_CMD_GETFAMILY : w == 2 ? ETHTOOL_MSG_FEATURES_GET : NETDEV_CMD_DEV_GET;
  if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, w == 0 ? NLM_F_ACK : NLM_F_DUMP, cmd,
                   w < 2 ? 2 : 1))
    goto out;
  if (w == 0 && nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, "nlctrl") < 0) goto out;
  if (w == 2) {
    struct nlattr *h = nla_nest_start(msg, ETHTOOL_A_FEATURES_HEADER | NLA_F_NESTED);
    if (!h || nla_put_u32(msg, ETHTOOL_A_HEADER_FLAGS, 0) < 0) goto out;
    nla_nest_end(msg, h);
  }
  nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, cb, s);
  nl_socket_modify_cb(sk, NL_CB_FINISH, NL_CB_CUSTOM, finish_cb, NULL);
  if (nl_send_auto(sk, msg) < 0) goto out;
  /* netdev's dump replies lack NLM_F_MULTI (genlmsg_iput), so libnl returns after each
   * datagram: read on to the DONE */
  done = w == 0;
  do {
    if ((rc = nl_recvmsgs_default(sk)) < 0) {
      fprintf(stderr, "libnl: %s\n", nl_geterror(rc));
      rc = -1;
      goto out;
    }
  } while (!done);
  rc = w == 0 ? nl_wait_for_ack(sk) : 0;
out:
  nlmsg_free(msg);
  return rc;
}

int main(int argc, char **argv) {
  if (argc < 5) return 2;
  int iters[4] = {atoi(argv[1]), atoi(argv[2]), atoi(argv[3]), atoi(argv[4])};
  sk = nl_socket_alloc();
  if (!sk || genl_connect(sk) < 0) return 1;
  /* NLM_F_ACK on the round trip only: a dump asked with it gets an ACK after its DONE */
  nl_socket_disable_auto_ack(sk);
  nl_socket_set_msg_buf_size(sk, 1 << 20);
  int ids[4] = {GENL_ID_CTRL, GENL_ID_CTRL, genl_ctrl_resolve(sk, "ethtool"),
                genl_ctrl_resolve(sk, "netdev")};
  const char *names[4] = {"getfamily", "families", "features", "netdev"};
  if (ids[2] < 0 || ids[3] < 0) return 1;
  for (int w = 0; w < 4; w++) {
    struct sums s = {0};
    /* warm-up: a tenth of the count and at least NLTS_BENCH_WARMUP_MS (default 1500), as the
     * other clients */
    const char *wm = getenv("NLTS_BENCH_WARMUP_MS");
    double warm = now_ms() + (wm ? atof(wm) : 1500);
    for (int k = 0; k < iters[w] / 10 + 1 || now_ms() < warm; k++) {
      memset(&s, 0, sizeof s);
      if (run(w, ids[w], &s) < 0) {
        fprintf(stderr, "libnl %s failed\n", names[w]);
        return 1;
      }
    }
    double t0 = now_ms(), c0 = cpu_ms();
    for (int k = 0; k < iters[w]; k++) {
      memset(&s, 0, sizeof s);
      run(w, ids[w], &s);
    }
    double us = (now_ms() - t0) * 1000 / iters[w], cpu = (cpu_ms() - c0) * 1000 / iters[w];
    if (w == 0) printf("libnl %s %.3f %ld:%ld %.3f\n", names[w], us, s.a, s.b, cpu);
    else if (w == 2) {
      printf("libnl %s %.3f %ld:%ld:%ld:%ld %.3f\n", names[w], us, s.n, s.a, s.b, s.c, cpu);
    } else printf("libnl %s %.3f %ld:%ld:%ld %.3f\n", names[w], us, s.n, s.a, s.b, cpu);
    fflush(stdout);
  }
  nl_socket_free(sk);
  return 0;
}
