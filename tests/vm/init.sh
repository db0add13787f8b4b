#!/bin/busybox sh
# Guest init for the nlts VM harness (tests/vm/run.ts). It runs under busybox in two stages:
#
#   stage 1  /init of the initramfs that setup.ts builds: load the virtio, 9p and overlay
#            modules listed in /modules/order, mount the host's / read-only over 9p as the
#            lower layer of an overlay whose upper layer is a tmpfs, then switch_root into it.
#   stage 2  pid 1 in the new root: mount /proc, /sys, /dev, /run, /tmp, the per-run control
#            share and the writable shares, bind the kernel's modules onto /lib/modules/KVER,
#            modprobe openvswitch & co, run the command with stdout and stderr on pipes that
#            cat copies to hvc1 and hvc2, write its exit status to the control share and
#            power off.
#
# hvc0 is the control channel read by run.ts: lines starting with "nlts-vm:" are markers
# (ready, exit N); anything else there is diagnostics, shown with NLTS_VM_VERBOSE=1.
# Kernel messages go to the serial port, which run.ts keeps in a log file.

HOST_TAG=hostroot
CTL_TAG=nltsctl
NINEP_OPTS=trans=virtio,version=9p2000.L,msize=512000

# The consoles stay open on fds 7 (hvc0), 8 (hvc1) and 9 (hvc2): a tty closed by its last user
# forgets its settings, and "raw" (no LF -> CRLF) must hold for the whole run.
consoles=
open_consoles() {
	exec 7>/dev/hvc0 8>/dev/hvc1 9>/dev/hvc2
	stty raw -echo <&7
	stty raw -echo <&8
	stty raw -echo <&9
	consoles=1
}

say() {
	if [ -n "$consoles" ]; then
		echo "$*" >&7
	else
		echo "$*"
	fi
}

die() {
	say "nlts-vm: fail $*"
	echo "nlts-vm: fail $*" >/dev/console
	sync
	poweroff -f
	echo o >/proc/sysrq-trigger
	sleep 60
}

stage1() {
	export PATH=/bin
	/bin/busybox --install -s /bin
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	mount -t devtmpfs devtmpfs /dev
	for m in $(cat /modules/order); do
		insmod "/modules/$m.ko" || die "insmod $m"
	done
	# virtio_console creates /dev/hvc* asynchronously; give devtmpfs a moment.
	n=0
	while [ ! -c /dev/hvc2 ] && [ "$n" -lt 200 ]; do
		usleep 10000
		n=$((n + 1))
	done
	open_consoles
	say "nlts-vm: stage1"
	mount -t 9p -o "$NINEP_OPTS,cache=loose,ro" "$HOST_TAG" /mnt/host || die "mount host root"
	mount -t tmpfs -o mode=0755 tmpfs /mnt/rw || die "mount tmpfs"
	mkdir -p /mnt/rw/upper /mnt/rw/work
	mount -t overlay -o lowerdir=/mnt/host,upperdir=/mnt/rw/upper,workdir=/mnt/rw/work \
		overlay /newroot || die "mount overlay"
	mkdir -p /newroot/proc /newroot/sys /newroot/dev /newroot/run
	mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /newroot/run || die "mount /run"
	mkdir -p /newroot/run/nlts/bin
	cp /init /newroot/run/nlts/init
	cp /bin/busybox /newroot/run/nlts/bin/busybox
	mount --move /proc /newroot/proc
	mount --move /sys /newroot/sys
	mount --move /dev /newroot/dev
	exec 7>&- 8>&- 9>&-
	exec switch_root /newroot /run/nlts/bin/busybox sh /run/nlts/init stage2
	die "switch_root"
}

stage2() {
	export PATH=/run/nlts/bin
	/run/nlts/bin/busybox --install -s /run/nlts/bin
	open_consoles
	mkdir -p /dev/pts /dev/shm /tmp
	mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
	mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /dev/shm
	mkdir -p /run/nlts/ctl
	mount -t 9p -o "$NINEP_OPTS" "$CTL_TAG" /run/nlts/ctl || die "mount control share"
	# config sets VM_KVER, VM_MODDIR, VM_MODULES, VM_SHARES and VM_SHARE_<i> (host paths).
	. /run/nlts/ctl/config || die "read config"
	# Bind the modules before /tmp is replaced: the cache may live under the host's /tmp.
	mkdir -p "/lib/modules/$VM_KVER"
	mount --bind "$VM_MODDIR" "/lib/modules/$VM_KVER" || die "bind modules"
	mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /tmp
	i=0
	while [ "$i" -lt "$VM_SHARES" ]; do
		eval "dir=\$VM_SHARE_$i"
		mkdir -p "$dir"
		mount -t 9p -o "$NINEP_OPTS" "share$i" "$dir" || die "mount share $dir"
		i=$((i + 1))
	done
	modprobe=/run/nlts/bin/modprobe
	[ -x /usr/sbin/modprobe ] && modprobe=/usr/sbin/modprobe
	for m in $VM_MODULES; do
		"$modprobe" "$m" || say "warning: modprobe $m failed"
	done
	hostname nlts-vm
	ip link set lo up 2>/dev/null
	# The command writes to pipes (as under CI), copied to the consoles by cat.
	mkfifo /run/nlts/out /run/nlts/err
	cat /run/nlts/out >&8 &
	cat_out=$!
	cat /run/nlts/err >&9 &
	cat_err=$!
	say "uptime $(cat /proc/uptime)"
	say "nlts-vm: ready"
	/bin/sh /run/nlts/ctl/cmd </dev/null >/run/nlts/out 2>/run/nlts/err 7>&- 8>&- 9>&-
	rc=$?
	say "uptime $(cat /proc/uptime)"
	# A daemon the command left behind may hold the pipes open: wait 3 s for it, no more.
	(
		sleep 3
		kill "$cat_out" "$cat_err"
	) 2>/dev/null &
	killer=$!
	wait "$cat_out" "$cat_err"
	kill "$killer" 2>/dev/null
	# stty sets the mode with TCSADRAIN: it returns once the consoles handed everything over.
	stty raw -echo <&8
	stty raw -echo <&9
	echo "$rc" >/run/nlts/ctl/status
	sync
	say "nlts-vm: exit $rc"
	stty raw -echo <&7
	poweroff -f
	echo o >/proc/sysrq-trigger
	sleep 60
}

case "${1:-stage1}" in
stage2) stage2 ;;
*) stage1 ;;
esac
