#!/usr/bin/env python3
"""Peer baseline for `deno task bench` (issue #3): pyroute2 (Debian python3-pyroute2, 0.7).

getfamily_rtt_us: a CTRL_CMD_GETFAMILY request for "nlctrl" sent with NLM_F_REQUEST | NLM_F_ACK
    through GenericNetlinkSocket.nlm_request, the reply parsed as a ctrlmsg and every attribute
    (nested ops and multicast groups included) read out into a plain dict. pyroute2 returns as
    soon as the (non-multipart) reply is in; the ACK is read and dropped as an orphan by the
    next call's receive loop, so each timed call still pays one send and two receives.
dump_all_families_us: a CTRL_CMD_GETFAMILY dump (NLM_F_REQUEST | NLM_F_DUMP) through
    nlm_request, every family message decoded the same way.

pyroute2 decodes attributes lazily (on first access), so the decode step below is what makes
the figure comparable with libraries that decode eagerly.

Run: python3 pyroute2_rtt.py [ITERATIONS]   (default 20000; the dump runs ITERATIONS/20 times)
"""
import sys
import time

from pyroute2.netlink import (
    CTRL_CMD_GETFAMILY,
    GENL_ID_CTRL,
    NLM_F_ACK,
    NLM_F_DUMP,
    NLM_F_REQUEST,
    ctrlmsg,
)
from pyroute2.netlink.generic import GenericNetlinkSocket


def family_of(msg):
    """Reads every attribute of a CTRL_CMD_NEWFAMILY message, as a Family record."""
    return {
        "id": msg.get_attr("CTRL_ATTR_FAMILY_ID"),
        "name": msg.get_attr("CTRL_ATTR_FAMILY_NAME"),
        "version": msg.get_attr("CTRL_ATTR_VERSION"),
        "hdrsize": msg.get_attr("CTRL_ATTR_HDRSIZE"),
        "maxattr": msg.get_attr("CTRL_ATTR_MAXATTR"),
        "ops": [
            (op.get_attr("CTRL_ATTR_OP_ID"), op.get_attr("CTRL_ATTR_OP_FLAGS"))
            for op in msg.get_attr("CTRL_ATTR_OPS", ())
        ],
        "groups": [
            (g.get_attr("CTRL_ATTR_MCAST_GRP_NAME"), g.get_attr("CTRL_ATTR_MCAST_GRP_ID"))
            for g in msg.get_attr("CTRL_ATTR_MCAST_GROUPS", ())
        ],
    }


def getfamily_request(name):
    msg = ctrlmsg()
    msg["cmd"] = CTRL_CMD_GETFAMILY
    msg["version"] = 1
    msg["attrs"].append(["CTRL_ATTR_FAMILY_NAME", name])
    return msg


def dump_request():
    msg = ctrlmsg()
    msg["cmd"] = CTRL_CMD_GETFAMILY
    msg["version"] = 1
    return msg


def main():
    iters = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    if iters <= 0:
        sys.exit("pyroute2_rtt: bad iteration count")
    dumps = max(1, iters // 20)

    sock = GenericNetlinkSocket()
    # bind() resolves the family it is given and maps GENL_ID_CTRL replies to ctrlmsg.
    sock.bind("nlctrl", ctrlmsg)

    def getfamily():
        replies = [
            m
            for m in sock.nlm_request(
                getfamily_request("nlctrl"), GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK
            )
            if m["header"]["type"] == GENL_ID_CTRL
        ]
        if len(replies) != 1:
            sys.exit("pyroute2_rtt: %d replies to getfamily" % len(replies))
        fam = family_of(replies[0])
        if fam["id"] != GENL_ID_CTRL or not fam["ops"] or not fam["groups"]:
            sys.exit("pyroute2_rtt: unexpected nlctrl family %r" % fam)

    def dump():
        fams = [
            family_of(m)
            for m in sock.nlm_request(dump_request(), GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_DUMP)
            if m["header"]["type"] == GENL_ID_CTRL
        ]
        if len(fams) < 3 or fams[0]["name"] is None:
            sys.exit("pyroute2_rtt: dump not decoded (%d families)" % len(fams))

    for _ in range(iters // 10):
        getfamily()
    t0 = time.perf_counter()
    for _ in range(iters):
        getfamily()
    print("pyroute2 getfamily_rtt_us %.2f" % ((time.perf_counter() - t0) * 1e6 / iters))

    for _ in range(dumps // 10 + 1):
        dump()
    t0 = time.perf_counter()
    for _ in range(dumps):
        dump()
    print("pyroute2 dump_all_families_us %.2f" % ((time.perf_counter() - t0) * 1e6 / dumps))
    sock.close()


if __name__ == "__main__":
    main()
