#!/bin/sh
# make demo: starts dcisim with a demo datacenter on loopback, sets up a
# throw-away store that knows it (through dcictl's own command line, the
# way an operator would), opens the console, and stops dcisim on exit.
BUILD=${1:-build}
DEMO="$PWD/$BUILD/demo"
SIM="$PWD/$BUILD/dcisim"
CTL="$PWD/$BUILD/dcictl"
rm -rf "$DEMO"
mkdir -p "$DEMO"
chmod 700 "$DEMO"

"$SIM" --demo --port 0 --log "$DEMO/dcisim.log" >"$DEMO/dcisim.out" 2>"$DEMO/dcisim.err" &
sim=$!
# On exit: stop dcisim, and any operation the console left running in the
# background against it (its panels are gone with the simulator).
stop_demo() {
	for p in $(pgrep -f "dcictl .*$DEMO/store.db.* operation run" 2>/dev/null); do
		kill "$p" 2>/dev/null
	done
	kill $sim 2>/dev/null
	wait $sim 2>/dev/null
}
trap stop_demo EXIT
trap 'exit 130' INT TERM HUP

i=0
until grep -q '^READY' "$DEMO/dcisim.out" 2>/dev/null; do
	i=$((i + 1))
	if [ $i -gt 100 ] || ! kill -0 $sim 2>/dev/null; then
		echo "demo: dcisim did not start:" >&2
		cat "$DEMO/dcisim.err" >&2
		exit 1
	fi
	sleep 0.1
done
ready=$(grep '^READY' "$DEMO/dcisim.out")
url() { echo "$ready" | tr ' ' '\n' | grep "^$1=" | sed -n "${2:-1}p" | cut -d= -f2-; }
dc1=$(url dcimgr 1)
dc2=$(url dcimgr 2)
ipm=$(url ipmgr)
bill=$(url billmgr)

cat >"$DEMO/config" <<CONF
# dcictl demo configuration (made by make demo)
store = "$DEMO/store.db";
refresh = 2;
CONF
chmod 600 "$DEMO/config"
export DCICTL_CONFIG="$DEMO/config"
printf 'admin' >"$DEMO/password"
chmod 600 "$DEMO/password"
pw="--password-file $DEMO/password"

echo "demo: dcisim is up: $ready"
echo "demo: setting up modules and tariffs through dcictl's command line"
set -- \
	"department add --name NOC" \
	"department add --name Billing" \
	"ipmgr add --name ipmgr-main --url $ipm --user admin $pw" \
	"license add --name licences --url $bill --user admin $pw" \
	"module add --name dc1-frankfurt --url $dc1 --user admin $pw --ipmgr ipmgr-main --parking-type parking --license licences --department NOC --sorting 10" \
	"module add --name dc2-amsterdam --url $dc2 --user admin $pw --ipmgr ipmgr-main --parking-type parking --license licences --department NOC --sorting 20" \
	"addon add --name ram --kind ram --billing client --values 8192,16384,32768" \
	"addon add --name os --kind os --billing client --values Debian-12-amd64,Ubuntu-22.04-amd64,AlmaLinux-9-amd64" \
	"addon add --name portspeed --kind portspeed --billing included --values 1000" \
	"addon add --name ipv4 --kind ipv4_public --billing client --range 0..8" \
	"addon add --name special_ip_block_guardvlan9 --kind special_ip_block_guardvlan9 --billing none --values 2" \
	"tariff add --name DS-Small --server-type ds-small --module dc1-frankfurt --module dc2-amsterdam --addon ram --addon os --addon portspeed --addon ipv4" \
	"tariff add --name DS-Large --server-type ds-large --module dc1-frankfurt --addon os --addon ipv4 --addon special_ip_block_guardvlan9"
for c in "$@"; do
	# shellcheck disable=SC2086
	"$CTL" $c >>"$DEMO/setup.log" 2>&1 || echo "demo: '$(echo "$c" | cut -d' ' -f1-2)' failed: $(tail -n 1 "$DEMO/setup.log")"
done

if [ ! -t 0 ] || [ ! -t 1 ]; then
	echo "demo: no terminal; the console needs one. Store: $DEMO/store.db"
	exit 0
fi
"$CTL"
