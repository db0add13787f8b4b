#!/bin/busybox sh
# Guest init of the user-mode-linux backend of the nlts VM harness (tests/vm/uml.ts). The UML
# kernel mounts the host's / read-only through hostfs as its root and runs this script from
# there as pid 1, under the host's static busybox, in two stages:
#
#   stage 1  mount /proc (until then /proc is the host's, seen through hostfs), /sys and a
#            tmpfs on /run for staging; load the overlay module from the cached UML modules;
#            mount host / read-only (hostfs) as the lower layer of an overlay whose upper
#            layer is a tmpfs, move /proc, /sys and /dev into it and chroot there.
#   stage 2  pid 1 in the new root: mount /run, /tmp, /dev/pts, /dev/shm, the per-run control
#            directory and the writable shares (hostfs, read-write), bind the UML modules onto
#            /lib/modules/KVER, modprobe openvswitch & co, run the command with stdout and
#            stderr on pipes that cat copies to tty2 and tty3, write its exit status to the
#            control directory and power off.
#
# The kernel command line hands over NLTS_VM_CTL (the host path of the control directory,
# which holds config and cmd) as an environment variable. UML's consoles are host file
# descriptors: tty0 (kernel messages) is UML's stdout, tty1 the control channel read by
# run.ts (lines starting with "nlts-vm:" are markers: ready, exit N; anything else is
# diagnostics, shown with NLTS_VM_VERBOSE=1), tty2 the command's stdout, tty3 its stderr.
#
# busybox runs its applets in preference to PATH: kmod's modprobe is called by its path.

# The consoles stay open on fds 7 (tty1), 8 (tty2) and 9 (tty3): a tty closed by its last user
# forgets its settings, and "raw" (no LF -> CRLF) must hold for the whole run.
consoles=
open_consoles() {
	exec 7>/dev/tty1 8>/dev/tty2 9>/dev/tty3
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
	sleep 60
}

kmod_modprobe() {
	for p in /usr/sbin/modprobe /sbin/modprobe /usr/bin/kmod /bin/kmod; do
		if [ -x "$p" ]; then
			case "$p" in
			*/kmod) "$p" modprobe "$@" ;;
			*) "$p" "$@" ;;
			esac
			return
		fi
	done
	say "warning: kmod's modprobe is missing (apt-get install kmod)"
	return 1
}

stage1() {
	/bin/busybox mount -t proc proc /proc || die "mount /proc"
	export PATH=/usr/sbin:/usr/bin:/sbin:/bin
	mount -t sysfs sysfs /sys
	grep -q "^[^ ]* /dev devtmpfs " /proc/mounts || mount -t devtmpfs devtmpfs /dev
	open_consoles
	read -r up _ </proc/uptime
	say "nlts-vm: stage1 $up"
	[ -n "$NLTS_VM_CTL" ] || die "no NLTS_VM_CTL on the kernel command line"
	# config sets VM_KVER, VM_MODDIR, VM_EARLY_MODULES (overlay and what it needs, as .ko paths
	# in load order), VM_PRELOAD, VM_MODULES, VM_SHARES and VM_SHARE_<i> (host paths).
	. "$NLTS_VM_CTL/config" || die "read config"
	for ko in $VM_EARLY_MODULES; do
		insmod "$ko" || die "insmod $ko"
	done
	# Staging: the overlay's upper layer lives in this tmpfs, which stays alive (out of sight)
	# once the overlay is the root. The lower layer is the root itself: host / through hostfs,
	# mounted read-only by the kernel ("ro").
	mount -t tmpfs -o mode=0755 tmpfs /run || die "mount staging tmpfs"
	mkdir -p /run/upper /run/work /run/root
	mount -t overlay -o lowerdir=/,upperdir=/run/upper,workdir=/run/work overlay /run/root ||
		die "mount overlay"
	new=/run/root
	mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs "$new/run" || die "mount /run"
	mkdir -p "$new/run/nlts/ctl" "$new/run/nlts/oldroot"
	cp "$0" "$new/run/nlts/init"
	mount -t hostfs -o "$NLTS_VM_CTL" none "$new/run/nlts/ctl" || die "mount control directory"
	mount --move /sys "$new/sys"
	mount --move /dev "$new/dev"
	cd "$new" || die "cd $new"
	# From here on busybox is called by its path: it runs applets through /proc/self/exe, and
	# once /proc moved away that is the host's, i.e. linux.uml. The consoles stay open (and
	# raw) across the exec.
	/bin/busybox mount --move /proc "$new/proc" || die "move /proc"
	/bin/busybox pivot_root . run/nlts/oldroot || die "pivot_root"
	exec /bin/busybox chroot . /bin/busybox sh /run/nlts/init stage2
	die "chroot"
}

stage2() {
	consoles=1
	export PATH=/usr/sbin:/usr/bin:/sbin:/bin
	# The old root (host / and the staging tmpfs) stays alive under the overlay, out of sight.
	umount -l /run/nlts/oldroot && rmdir /run/nlts/oldroot
	mkdir -p /dev/pts /dev/shm /tmp
	mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
	mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /dev/shm
	. /run/nlts/ctl/config || die "read config"
	# Bind the modules before /tmp is replaced: the cache may live under the host's /tmp.
	mkdir -p "/lib/modules/$VM_KVER"
	mount --bind "$VM_MODDIR" "/lib/modules/$VM_KVER" || die "bind modules"
	mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /tmp
	i=0
	while [ "$i" -lt "$VM_SHARES" ]; do
		eval "dir=\$VM_SHARE_$i"
		mkdir -p "$dir"
		mount -t hostfs -o "$dir" none "$dir" || die "mount share $dir"
		i=$((i + 1))
	done
	# VM_PRELOAD: what Debian's kernel has built in and UML's has as modules (uml.ts). One kmod
	# call for all of them (every process costs ~40 ms under UML), then a warning for each one
	# that did not load.
	kmod_modprobe -a $VM_PRELOAD $VM_MODULES
	for m in $VM_PRELOAD $VM_MODULES; do
		[ -d "/sys/module/$m" ] || say "warning: modprobe $m failed"
	done
	echo nlts-vm >/proc/sys/kernel/hostname
	ip link set lo up 2>/dev/null
	# The command writes to pipes (as under CI), copied to the consoles by cat.
	mkfifo /run/nlts/out /run/nlts/err
	cat /run/nlts/out >&8 &
	cat_out=$!
	cat /run/nlts/err >&9 &
	cat_err=$!
	read -r up _ </proc/uptime
	say "uptime $up"
	say "nlts-vm: ready"
	/bin/sh /run/nlts/ctl/cmd </dev/null >/run/nlts/out 2>/run/nlts/err 7>&- 8>&- 9>&-
	rc=$?
	read -r up _ </proc/uptime
	say "uptime $up"
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
	# hostfs writes through to the host; sync anyway before the power goes.
	sync
	say "nlts-vm: exit $rc"
	stty raw -echo <&7
	poweroff -f
	sleep 60
}

case "${1:-stage1}" in
stage2) stage2 ;;
*) stage1 ;;
esac
