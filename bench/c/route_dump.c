/* Floor for bench/route_bench.ts: an RTM_GETROUTE dump of every table (AF_UNSPEC) in plain C,
 * in the network namespace the bench filled: recvmsg into one buffer, every route's rtmsg and
 * attributes walked (RTA_MULTIPATH's nexthops and RTA_METRICS descended into), each payload
 * touched, nothing copied or kept. This is what a client cannot do with less work.
 * Build: cc -O2 -o route_dump route_dump.c ; run: ./route_dump NETNS [ROUNDS]  (root: setns;
 * prints `c route_dump_ms MS` and `c route_dump_routes N`) */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static char buf[1 << 16];

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Attributes of a route (and of its nests); returns how many, adds payload bytes to *sum. */
static long walk(const char *p, int len, int depth, unsigned long *sum) {
  long n = 0;
  while (len >= (int)sizeof(struct rtattr)) {
    const struct rtattr *a = (const struct rtattr *)p;
    if (a->rta_len < sizeof(struct rtattr) || a->rta_len > len) break;
    n++;
    int plen = a->rta_len - RTA_LENGTH(0);
    const char *v = (const char *)RTA_DATA(a);
    if (a->rta_type == RTA_METRICS && depth == 0) {
      n += walk(v, plen, 1, sum);
    } else if (a->rta_type == RTA_MULTIPATH && depth == 0) {
      while (plen >= (int)sizeof(struct rtnexthop)) {
        const struct rtnexthop *nh = (const struct rtnexthop *)v;
        if (nh->rtnh_len < sizeof(*nh) || nh->rtnh_len > plen) break;
        *sum += nh->rtnh_ifindex;
        n += walk((const char *)RTNH_DATA(nh), nh->rtnh_len - RTNH_LENGTH(0), 1, sum);
        plen -= RTNH_ALIGN(nh->rtnh_len);
        v += RTNH_ALIGN(nh->rtnh_len);
      }
    } else if (plen > 0) {
      *sum += (unsigned char)v[0] + (unsigned char)v[plen - 1];
    }
    len -= RTA_ALIGN(a->rta_len);
    p += RTA_ALIGN(a->rta_len);
  }
  return n;
}

/* One dump of every table; the number of routes, or -1. */
static long dump(int fd, unsigned seq, unsigned long *sum) {
  struct {
    struct nlmsghdr h;
    struct rtmsg r;
  } req = {0};
  req.h.nlmsg_len = sizeof(req);
  req.h.nlmsg_type = RTM_GETROUTE;
  req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  req.h.nlmsg_seq = seq;
  req.r.rtm_family = AF_UNSPEC;
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0) return -1;
  long routes = 0;
  for (;;) {
    struct iovec iov = {buf, sizeof(buf)};
    struct msghdr msg = {.msg_name = &kernel, .msg_namelen = sizeof(kernel), .msg_iov = &iov,
                         .msg_iovlen = 1};
    int n = recvmsg(fd, &msg, 0);
    if (n <= 0 || (msg.msg_flags & MSG_TRUNC)) return -1;
    for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_seq != seq) continue;
      if (h->nlmsg_type == NLMSG_DONE) return routes;
      if (h->nlmsg_type == NLMSG_ERROR || h->nlmsg_type != RTM_NEWROUTE) return -1;
      const struct rtmsg *r = (const struct rtmsg *)NLMSG_DATA(h);
      *sum += r->rtm_dst_len + r->rtm_table + r->rtm_type;
      walk((const char *)RTM_RTA(r), RTM_PAYLOAD(h), 0, sum);
      routes++;
    }
  }
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: route_dump NETNS [ROUNDS]\n");
    return 2;
  }
  int rounds = argc > 2 ? atoi(argv[2]) : 10;
  char path[256];
  snprintf(path, sizeof(path), "/run/netns/%s", argv[1]);
  int ns = open(path, O_RDONLY | O_CLOEXEC);
  if (ns < 0 || setns(ns, CLONE_NEWNET) != 0) {
    printf("c route_dump: not measured (setns into %s needs root)\n", path);
    return 0;
  }
  close(ns);
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) return 1;
  unsigned long sum = 0;
  long routes = dump(fd, 1, &sum); /* warm-up */
  if (routes <= 0) return 1;
  double t0 = now_ms();
  for (int i = 0; i < rounds; i++) {
    if (dump(fd, 2 + i, &sum) != routes) {
      fprintf(stderr, "route_dump: the dumps disagree\n");
      return 1;
    }
  }
  printf("c route_dump_ms %.2f\n", (now_ms() - t0) / rounds);
  printf("c route_dump_routes %ld\n", routes);
  if (sum == 0) return 1;
  close(fd);
  return 0;
}
