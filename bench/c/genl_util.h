/* Helpers shared by the C baselines of bench/ (header only: each baseline is one cc call):
 * a monotonic clock and the process's CPU time in milliseconds, the warm-up time, a send to the kernel, and a
 * generic netlink family's id from nlctrl. */
#ifndef NLTS_BENCH_GENL_UTIL_H
#define NLTS_BENCH_GENL_UTIL_H

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Least warm-up time per workload in milliseconds: NLTS_BENCH_WARMUP_MS, default 1500 (as in
 * the JavaScript clients, whose JIT tiers up in the background while they warm up). */
static double warmup_ms(void) {
  const char *s = getenv("NLTS_BENCH_WARMUP_MS");
  return s ? atof(s) : 1500;
}

/* CPU time of the process so far (user and system, all threads), as process.cpuUsage() in
 * the JavaScript clients. */
static double cpu_ms(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

/* Sends `len` bytes to the kernel; 0 when all went, -1 otherwise. */
static int send_msg(int fd, const char *msg, int len) {
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  return sendto(fd, msg, len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) == len ? 0 : -1;
}

/* CTRL_CMD_GETFAMILY for `name`; its id, or -1. `buf` receives the reply. */
static int family_id(int fd, const char *name, char *buf, int size) {
  char req[64] = {0};
  struct nlmsghdr *h = (struct nlmsghdr *)req;
  struct genlmsghdr *g = (struct genlmsghdr *)NLMSG_DATA(h);
  struct nlattr *a = (struct nlattr *)((char *)g + GENL_HDRLEN);
  a->nla_type = CTRL_ATTR_FAMILY_NAME;
  a->nla_len = NLA_HDRLEN + strlen(name) + 1;
  memcpy((char *)a + NLA_HDRLEN, name, strlen(name) + 1);
  h->nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN + NLA_ALIGN(a->nla_len);
  h->nlmsg_type = GENL_ID_CTRL;
  h->nlmsg_flags = NLM_F_REQUEST;
  h->nlmsg_seq = 1;
  g->cmd = CTRL_CMD_GETFAMILY;
  g->version = 2;
  if (send_msg(fd, req, h->nlmsg_len) < 0) return -1;
  int n = recv(fd, buf, size, 0);
  for (struct nlmsghdr *r = (struct nlmsghdr *)buf; NLMSG_OK(r, n); r = NLMSG_NEXT(r, n)) {
    if (r->nlmsg_type != GENL_ID_CTRL) return -1;
    int alen = r->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
    char *p = (char *)NLMSG_DATA(r) + GENL_HDRLEN;
    while (alen >= NLA_HDRLEN) {
      struct nlattr *x = (struct nlattr *)p;
      if (x->nla_type == CTRL_ATTR_FAMILY_ID) return *(unsigned short *)(p + NLA_HDRLEN);
      alen -= NLA_ALIGN(x->nla_len);
      p += NLA_ALIGN(x->nla_len);
    }
  }
  return -1;
}

#endif
