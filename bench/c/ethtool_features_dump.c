/* Baseline for bench/genl_bench.ts: an ethtool ETHTOOL_MSG_FEATURES_GET dump over the 1,001
 * devices (lo + 500 veth pairs) of a private network namespace, in plain C: every attribute of
 * every reply walked recursively (header, the four bitsets, each bit nest), no copies. Verbose
 * and compact bitsets. Needs root (unshare(CLONE_NEWNET)) and iproute2 (`ip -batch` makes the
 * veths); the namespace goes away with the process.
 * Build: cc -O2 -o ethtool_features_dump ethtool_features_dump.c ; run: ./ethtool_features_dump [ROUNDS] */
#define _GNU_SOURCE
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "genl_util.h"

#define PAIRS 500
#define DEVICES (2 * PAIRS + 1)

static char buf[1 << 20];

/* Nested attributes in ETHTOOL_MSG_FEATURES_GET_REPLY: header, bitsets, bits, bit. */
static long walk_attrs(const char *p, int len, int depth) {
  long n = 0;
  while (len >= NLA_HDRLEN) {
    const struct nlattr *a = (const struct nlattr *)p;
    if (a->nla_len < NLA_HDRLEN || a->nla_len > len) break;
    n++;
    if ((a->nla_type & NLA_F_NESTED) && depth < 4) {
      n += walk_attrs(p + NLA_HDRLEN, a->nla_len - NLA_HDRLEN, depth + 1);
    } else if (a->nla_len > NLA_HDRLEN) {
      n += (unsigned char)p[NLA_HDRLEN] & 1; /* touch the payload */
    }
    len -= NLA_ALIGN(a->nla_len);
    p += NLA_ALIGN(a->nla_len);
  }
  return n;
}

/* One dump; returns the number of devices, adds the attributes walked to *attrs. */
static int dump(int fd, int id, unsigned flags, int seq, long *attrs) {
  char req[64] = {0};
  struct nlmsghdr *h = (struct nlmsghdr *)req;
  struct genlmsghdr *g = (struct genlmsghdr *)NLMSG_DATA(h);
  struct nlattr *hdr = (struct nlattr *)((char *)g + GENL_HDRLEN);
  struct nlattr *fl = (struct nlattr *)((char *)hdr + NLA_HDRLEN);
  fl->nla_type = ETHTOOL_A_HEADER_FLAGS;
  fl->nla_len = NLA_HDRLEN + 4;
  memcpy((char *)fl + NLA_HDRLEN, &flags, 4);
  hdr->nla_type = ETHTOOL_A_FEATURES_HEADER | NLA_F_NESTED;
  hdr->nla_len = NLA_HDRLEN + fl->nla_len;
  h->nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN + hdr->nla_len;
  h->nlmsg_type = id;
  h->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  h->nlmsg_seq = seq;
  g->cmd = ETHTOOL_MSG_FEATURES_GET;
  g->version = ETHTOOL_GENL_VERSION;
  if (send_msg(fd, req, h->nlmsg_len) < 0) return -1;
  int devices = 0;
  for (;;) {
    int n = recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) return -1;
    for (struct nlmsghdr *r = (struct nlmsghdr *)buf; NLMSG_OK(r, n); r = NLMSG_NEXT(r, n)) {
      if (r->nlmsg_seq != (unsigned)seq) continue;
      if (r->nlmsg_type == NLMSG_DONE) return devices;
      if (r->nlmsg_type == NLMSG_ERROR) return -1;
      devices++;
      *attrs += walk_attrs((char *)NLMSG_DATA(r) + GENL_HDRLEN,
                           r->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN, 0);
    }
  }
}

int main(int argc, char **argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 20;
  if (unshare(CLONE_NEWNET) != 0) {
    printf("c ethtool_features_dump: not measured (unshare(CLONE_NEWNET) needs root)\n");
    return 0;
  }
  char batch[] = "/tmp/nlts-ethtool-bench-XXXXXX";
  int bfd = mkstemp(batch);
  FILE *bf = bfd >= 0 ? fdopen(bfd, "w") : NULL;
  if (!bf) return 1;
  for (int i = 0; i < PAIRS; i++) fprintf(bf, "link add b%da type veth peer name b%db\n", i, i);
  fclose(bf);
  char cmd[128];
  snprintf(cmd, sizeof(cmd), "ip -batch %s", batch);
  int rc = system(cmd);
  unlink(batch);
  if (rc != 0) return 1;

  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
  int id = fd >= 0 ? family_id(fd, "ethtool", buf, sizeof(buf)) : -1;
  if (id < 0) return 1;
  const char *names[] = {"verbose", "compact"};
  for (unsigned mode = 0; mode < 2; mode++) {
    long attrs = 0;
    int seq = 100;
    for (int i = 0; i < rounds / 10 + 1; i++) dump(fd, id, mode, seq++, &attrs);
    double t0 = now_ms();
    for (int i = 0; i < rounds; i++) {
      if (dump(fd, id, mode, seq++, &attrs) != DEVICES) {
        fprintf(stderr, "dump did not list %d devices\n", DEVICES);
        return 1;
      }
    }
    double ms = (now_ms() - t0) / rounds;
    printf("c ethtool_features_dump_%s_ms %.2f\n", names[mode], ms);
    printf("c ethtool_features_dump_%s_per_dev_us %.2f\n", names[mode], ms * 1000 / DEVICES);
    if (attrs == 0) return 1;
  }
  close(fd);
  return 0;
}
