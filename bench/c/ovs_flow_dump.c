/* Baseline for bench/ovs_flow_bench.ts: a full OVS_FLOW_CMD_GET dump of one datapath's flow
 * table in plain C. Every reply is walked: its top-level attributes, and the key and mask
 * nests attribute by attribute (the tunnel and encap nests too), reading the statistics and
 * `used`; nothing is copied or converted (the least work a consumer of the dump can do).
 * Build: cc -O2 -o ovs_flow_dump ovs_flow_dump.c ;
 * run: ./ovs_flow_dump DP_IFINDEX [ROUNDS]  (prints one `c ovs_flow_dump_walk_per_s N` line) */
#define _GNU_SOURCE
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/openvswitch.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "genl_util.h"

static char buf[1 << 16];

/* Key (or mask) attributes; encap and tunnel are nests. Returns a checksum of what was read. */
static uint64_t walk_key(const char *p, int len, int depth) {
  uint64_t sum = 0;
  while (len >= NLA_HDRLEN) {
    const struct nlattr *a = (const struct nlattr *)p;
    if (a->nla_len < NLA_HDRLEN || a->nla_len > len) break;
    int type = a->nla_type & NLA_TYPE_MASK;
    if ((type == OVS_KEY_ATTR_ENCAP || type == OVS_KEY_ATTR_TUNNEL) && depth < 4) {
      sum += walk_key(p + NLA_HDRLEN, a->nla_len - NLA_HDRLEN, depth + 1);
    } else if (a->nla_len >= NLA_HDRLEN + 4) {
      sum += *(const uint32_t *)(p + NLA_HDRLEN) + type;
    } else {
      sum += type;
    }
    len -= NLA_ALIGN(a->nla_len);
    p += NLA_ALIGN(a->nla_len);
  }
  return sum;
}

static uint64_t walk_flow(const char *p, int len) {
  uint64_t sum = 0;
  while (len >= NLA_HDRLEN) {
    const struct nlattr *a = (const struct nlattr *)p;
    if (a->nla_len < NLA_HDRLEN || a->nla_len > len) break;
    const char *v = p + NLA_HDRLEN;
    switch (a->nla_type & NLA_TYPE_MASK) {
    case OVS_FLOW_ATTR_KEY:
    case OVS_FLOW_ATTR_MASK:
      sum += walk_key(v, a->nla_len - NLA_HDRLEN, 0);
      break;
    case OVS_FLOW_ATTR_STATS: {
      struct ovs_flow_stats st;
      memcpy(&st, v, sizeof st);
      sum += st.n_packets + st.n_bytes;
      break;
    }
    case OVS_FLOW_ATTR_USED: {
      uint64_t used;
      memcpy(&used, v, 8);
      sum += used;
      break;
    }
    default:
      sum += a->nla_len;
    }
    len -= NLA_ALIGN(a->nla_len);
    p += NLA_ALIGN(a->nla_len);
  }
  return sum;
}

/* One dump; returns the number of flows. */
static long dump(int fd, int id, int ifindex, int seq, uint64_t *sum) {
  char req[64] = {0};
  struct nlmsghdr *h = (struct nlmsghdr *)req;
  struct genlmsghdr *g = (struct genlmsghdr *)NLMSG_DATA(h);
  struct ovs_header *oh = (struct ovs_header *)((char *)g + GENL_HDRLEN);
  oh->dp_ifindex = ifindex;
  h->nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN + sizeof(*oh);
  h->nlmsg_type = id;
  h->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  h->nlmsg_seq = seq;
  g->cmd = OVS_FLOW_CMD_GET;
  g->version = OVS_FLOW_VERSION;
  if (send_msg(fd, req, h->nlmsg_len) < 0) return -1;
  long flows = 0;
  int hdr = NLMSG_HDRLEN + GENL_HDRLEN + sizeof(struct ovs_header);
  for (;;) {
    int n = recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) return -1;
    for (struct nlmsghdr *r = (struct nlmsghdr *)buf; NLMSG_OK(r, n); r = NLMSG_NEXT(r, n)) {
      if (r->nlmsg_seq != (unsigned)seq) continue;
      if (r->nlmsg_type == NLMSG_DONE) return flows;
      if (r->nlmsg_type == NLMSG_ERROR) return -1;
      flows++;
      *sum += walk_flow((char *)r + hdr, r->nlmsg_len - hdr);
    }
  }
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s DP_IFINDEX [ROUNDS]\n", argv[0]);
    return 2;
  }
  int ifindex = atoi(argv[1]);
  int rounds = argc > 2 ? atoi(argv[2]) : 3;
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
  int id = fd >= 0 ? family_id(fd, "ovs_flow", buf, sizeof(buf)) : -1;
  if (id < 0) {
    printf("c ovs_flow_dump: not measured (no ovs_flow family: modprobe openvswitch)\n");
    return 0;
  }
  double best = 0;
  long flows = 0;
  uint64_t sum = 0;
  for (int r = 0; r < rounds; r++) {
    double t0 = now_ms();
    flows = dump(fd, id, ifindex, 100 + r, &sum);
    double ms = now_ms() - t0;
    if (flows < 0) {
      fprintf(stderr, "dump failed\n");
      return 1;
    }
    double rate = flows / ms * 1000;
    if (rate > best) best = rate;
  }
  printf("c ovs_flow_dump_flows %ld\n", flows);
  printf("c ovs_flow_dump_walk_per_s %.0f\n", best);
  fprintf(stderr, "(checksum %llu)\n", (unsigned long long)sum);
  close(fd);
  return 0;
}
