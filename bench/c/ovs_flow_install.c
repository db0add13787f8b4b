/* Baseline for bench/ovs_flow_bench.ts: installs N flows into one datapath in plain C, the way
 * FlowTable.newBatch does it: OVS_FLOW_CMD_NEW requests with NLM_F_CREATE, CHUNK requests per
 * sendmsg, only the last of a chunk asking for an ACK, every answer of the chunk read before the
 * next one is sent. Each flow is the bench's: a UFID, key in_port(1), eth(), eth_type(0x0800),
 * ipv4(src=10.x.y.z, frag=no), the same mask, actions output(2). The request is a template whose
 * UFID and IPv4 source are patched per flow: the least work a client can do, so this measures the
 * kernel and the system calls.
 * Build: cc -O2 -o ovs_flow_install ovs_flow_install.c ;
 * run: ./ovs_flow_install DP_IFINDEX N [CHUNK]  (the table must be empty; prints one
 * `c ovs_flow_install_per_s N` line) */
#define _GNU_SOURCE
#include <arpa/inet.h>
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

static char rbuf[1 << 16];

/* Appends an attribute; returns the new end. */
static char *put(char *p, int type, const void *v, int len) {
  struct nlattr *a = (struct nlattr *)p;
  a->nla_type = type;
  a->nla_len = NLA_HDRLEN + len;
  memcpy(p + NLA_HDRLEN, v, len);
  memset(p + NLA_HDRLEN + len, 0, NLA_ALIGN(len) - len);
  return p + NLA_ALIGN(a->nla_len);
}

/* The key or mask nest: in_port, ethernet, ethertype, ipv4. `ipv4_src` is where the IPv4
 * source landed (to patch it per flow). */
static char *put_key(char *p, int type, int mask, char **ipv4_src) {
  struct nlattr *nest = (struct nlattr *)p;
  nest->nla_type = type;
  char *q = p + NLA_HDRLEN;
  uint32_t in_port = mask ? 0xffffffff : 1;
  struct ovs_key_ethernet eth = {{0}, {0}};
  uint16_t ethertype = mask ? 0xffff : htons(0x0800);
  struct ovs_key_ipv4 ip = {0};
  if (mask) {
    ip.ipv4_src = 0xffffffff;
    ip.ipv4_frag = 0xff;
  }
  q = put(q, OVS_KEY_ATTR_IN_PORT, &in_port, 4);
  q = put(q, OVS_KEY_ATTR_ETHERNET, &eth, sizeof eth);
  q = put(q, OVS_KEY_ATTR_ETHERTYPE, &ethertype, 2);
  if (ipv4_src) *ipv4_src = q + NLA_HDRLEN;
  q = put(q, OVS_KEY_ATTR_IPV4, &ip, sizeof ip);
  nest->nla_len = q - p;
  return q;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s DP_IFINDEX N [CHUNK]\n", argv[0]);
    return 2;
  }
  int ifindex = atoi(argv[1]);
  long n = atol(argv[2]);
  int chunk = argc > 3 ? atoi(argv[3]) : 512;
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
  int id = fd >= 0 ? family_id(fd, "ovs_flow", rbuf, sizeof(rbuf)) : -1;
  if (id < 0) {
    printf("c ovs_flow_install: not measured (no ovs_flow family: modprobe openvswitch)\n");
    return 0;
  }
  int one = 1, size = 4 << 20;
  setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
  setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size);
  setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size);

  /* The template request. */
  char tmpl[512] = {0};
  struct nlmsghdr *h = (struct nlmsghdr *)tmpl;
  struct genlmsghdr *g = (struct genlmsghdr *)NLMSG_DATA(h);
  struct ovs_header *oh = (struct ovs_header *)((char *)g + GENL_HDRLEN);
  g->cmd = OVS_FLOW_CMD_NEW;
  g->version = OVS_FLOW_VERSION;
  oh->dp_ifindex = ifindex;
  char *p = (char *)(oh + 1), *src = NULL;
  p = put_key(p, OVS_FLOW_ATTR_KEY, 0, &src);
  p = put_key(p, OVS_FLOW_ATTR_MASK, 1, NULL);
  struct nlattr *acts = (struct nlattr *)p;
  acts->nla_type = OVS_FLOW_ATTR_ACTIONS;
  uint32_t port = 2;
  char *q = put(p + NLA_HDRLEN, OVS_ACTION_ATTR_OUTPUT, &port, 4);
  acts->nla_len = q - p;
  p = q;
  char *ufid = p + NLA_HDRLEN;
  uint8_t zero[16] = {0};
  p = put(p, OVS_FLOW_ATTR_UFID, zero, 16);
  int len = p - tmpl;
  h->nlmsg_len = len;
  h->nlmsg_type = id;
  int src_at = src - tmpl, ufid_at = ufid - tmpl;

  char *out = malloc((size_t)len * chunk);
  long failed = 0;
  uint32_t seq = 1000;
  double t0 = now_ms();
  for (long base = 0; base < n; base += chunk) {
    int k = n - base < chunk ? (int)(n - base) : chunk;
    for (int j = 0; j < k; j++) {
      long i = base + j;
      char *m = out + (size_t)j * len;
      memcpy(m, tmpl, len);
      struct nlmsghdr *mh = (struct nlmsghdr *)m;
      mh->nlmsg_seq = ++seq;
      mh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | (j == k - 1 ? NLM_F_ACK : 0);
      uint8_t *a = (uint8_t *)(m + src_at);
      a[0] = 10, a[1] = (i >> 16) & 255, a[2] = (i >> 8) & 255, a[3] = i & 255;
      uint32_t u = (uint32_t)i;
      memcpy(m + ufid_at, &u, 4);
      m[ufid_at + 15] = (char)0xbe;
    }
    if (send_msg(fd, out, len * k) < 0) {
      perror("sendmsg");
      return 1;
    }
    /* Errors come first, the last request's ACK ends the chunk. */
    for (int done = 0; !done;) {
      int r = recv(fd, rbuf, sizeof(rbuf), 0);
      if (r <= 0) {
        perror("recv");
        return 1;
      }
      for (struct nlmsghdr *a = (struct nlmsghdr *)rbuf; NLMSG_OK(a, r); a = NLMSG_NEXT(a, r)) {
        if (a->nlmsg_type != NLMSG_ERROR) continue;
        int err = ((struct nlmsgerr *)NLMSG_DATA(a))->error;
        if (err) failed++;
        if (a->nlmsg_seq == seq) done = 1;
      }
    }
  }
  double ms = now_ms() - t0;
  if (failed) {
    fprintf(stderr, "c ovs_flow_install: %ld of %ld refused\n", failed, n);
    return 1;
  }
  printf("c ovs_flow_install_per_s %.0f\n", n / ms * 1000);
  close(fd);
  return 0;
}
