// Peer baseline for `deno task bench` (issue #3): mdlayher/genetlink, as Debian packages it.
//
//	getfamily_rtt_us:      Conn.GetFamily("nlctrl"), a CTRL_CMD_GETFAMILY request and its reply,
//	                       decoded into a genetlink.Family (id, name, version, multicast groups).
//	                       The library sends the request with NLM_F_REQUEST only: no ACK is asked
//	                       for, so a call is one sendmsg and one reply (plus a MSG_PEEK recvmsg).
//	dump_all_families_us:  Conn.ListFamilies(), a CTRL_CMD_GETFAMILY dump decoded into []Family.
//
// Build (GOPATH mode, against /usr/share/gocode from golang-github-mdlayher-genetlink-dev):
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o genetlink_rtt bench/peers/genetlink_rtt.go
//
// Run: ./genetlink_rtt [ITERATIONS]   (default 100000; the dump runs ITERATIONS/20 times)
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/mdlayher/genetlink"
)

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "genetlink_rtt: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	iters := 100000
	if len(os.Args) > 1 {
		n, err := strconv.Atoi(os.Args[1])
		if err != nil || n <= 0 {
			fail("bad iteration count %q", os.Args[1])
		}
		iters = n
	}
	dumps := iters / 20
	if dumps < 1 {
		dumps = 1
	}

	conn, err := genetlink.Dial(nil)
	if err != nil {
		fail("dial: %v", err)
	}
	defer conn.Close()

	resolve := func() {
		fam, err := conn.GetFamily("nlctrl")
		if err != nil {
			fail("GetFamily: %v", err)
		}
		// nlctrl is always GENL_ID_CTRL (0x10) and has the "notify" multicast group.
		if fam.ID != 0x10 || len(fam.Groups) == 0 {
			fail("unexpected nlctrl family %+v", fam)
		}
	}
	for i := 0; i < iters/10; i++ {
		resolve()
	}
	start := time.Now()
	for i := 0; i < iters; i++ {
		resolve()
	}
	perCall := float64(time.Since(start).Nanoseconds()) / 1e3 / float64(iters)
	fmt.Printf("go-genetlink getfamily_rtt_us %.2f\n", perCall)

	dump := func() {
		fams, err := conn.ListFamilies()
		if err != nil {
			fail("ListFamilies: %v", err)
		}
		if len(fams) == 0 {
			fail("ListFamilies returned no family")
		}
	}
	for i := 0; i < dumps/10+1; i++ {
		dump()
	}
	start = time.Now()
	for i := 0; i < dumps; i++ {
		dump()
	}
	perDump := float64(time.Since(start).Nanoseconds()) / 1e3 / float64(dumps)
	fmt.Printf("go-genetlink dump_all_families_us %.2f\n", perDump)
}
