#!/bin/sh
# Installs the Debian packages dcictl needs to build, test and demo.
# As root: apt-get installs what is missing. Otherwise: prints the command.
set -e
PKGS="build-essential pkg-config libncurses-dev libcurl4-openssl-dev libxml2-dev
libxml2-utils libconfig-dev libsqlite3-dev libmicrohttpd-dev libcmocka-dev
libvterm-dev libssl-dev curl valgrind clang libclang-rt-14-dev htop openssl"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
	echo "deps: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null 2>&1 || apt-get update
	apt-get install -y -qq $missing >/dev/null 2>&1 || apt-get install -y $missing
else
	echo "deps: missing packages:$missing"
	echo "deps: run: sudo apt-get install -y$missing"
	exit 1
fi
