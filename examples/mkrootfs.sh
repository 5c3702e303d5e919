#!/usr/bin/env bash
# mkrootfs.sh DIR: build a minimal busybox root filesystem in DIR from the
# host's static busybox (Debian package busybox-static).  No downloads.
# Idempotent: running it again refreshes the binary and links in place.
set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 DIR" >&2
	exit 2
fi
dir=$1
busybox=${BUSYBOX:-/bin/busybox}

# The binary must run with no libraries inside the rootfs: ldd fails on a
# static binary.
if ! [ -x "$busybox" ] || ldd "$busybox" >/dev/null 2>&1; then
	echo "mkrootfs: $busybox is missing or not static (apt-get install busybox-static)" >&2
	exit 1
fi

mkdir -p "$dir"
cd "$dir"
mkdir -p bin sbin usr/bin usr/sbin etc root home proc sys dev dev/pts dev/shm \
	tmp run var/tmp var/log mnt opt
chmod 1777 tmp var/tmp
chmod 0700 root
[ -e var/run ] || ln -s ../run var/run

# Copy through a temporary name so a rerun never writes into a running binary.
cp "$busybox" bin/.busybox.new
chmod 0755 bin/.busybox.new
mv -f bin/.busybox.new bin/busybox

# One symlink per applet, at the path busybox itself reports ("/usr/bin/env").
# The links are relative to the rootfs so they resolve both inside the
# container and from the host.
"$busybox" --list-full | while read -r applet; do
	[ "$applet" = bin/busybox ] && continue
	slashes=${applet//[^\/]/}
	up=${slashes//\//../}
	ln -sfn "${up}bin/busybox" "$applet"
done

cat >etc/passwd <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat >etc/group <<'GROUP'
root:x:0:
nogroup:x:65534:
GROUP
echo husk >etc/hostname
: >etc/resolv.conf
cat >etc/hosts <<'HOSTS'
127.0.0.1	localhost
::1	localhost
HOSTS
