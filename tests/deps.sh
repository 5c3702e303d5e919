#!/usr/bin/env bash
# Install every build and test dependency of husk on Debian 12.
# Idempotent and fast: asks dpkg first and touches apt only when something
# is missing.  Must work as root with no stdin (CI).
set -euo pipefail

PACKAGES=(
	# build
	build-essential pkg-config
	libjansson-dev libcap-dev libseccomp-dev libmnl-dev libnftables-dev
	# runtime tools the tests and the demo use
	nftables iproute2 uidmap procps util-linux kmod busybox-static
	# test and bench harness
	bats jq sysstat time
	# reference runtimes (bench, compatibility tests)
	runc crun
	# real clients driving husk in the integration tests
	podman conmon containerd
)

# One dpkg-query for all: prints "NAME STATUS" for the packages it knows.
# dpkg-query fails when any package is unknown: that is the case we look for.
present=" $({ dpkg-query -W -f='${Package}:${Status}\n' "${PACKAGES[@]}" 2>/dev/null || true; } |
	sed -n 's/:install ok installed$//p' | tr '\n' ' ')"
missing=()
for pkg in "${PACKAGES[@]}"; do
	[[ $present == *" $pkg "* ]] || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#PACKAGES[@]} packages present"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing ${missing[*]}; run as root to install" >&2
	exit 1
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
echo "deps: installed ${missing[*]}"
