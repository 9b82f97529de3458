#!/bin/sh
# Builds each libFuzzer target (tests/fuzz/fuzz_*.c) with clang and the
# core sources, then runs it for a bounded time: fuzz.sh SECONDS FILES...
set -e
secs=$1; shift
out=build-fuzz
mkdir -p "$out"
cflags="-g -O1 -std=c11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -Icore $(pkg-config --cflags libxml-2.0 libcurl libconfig sqlite3 libcrypto)"
libs="$(pkg-config --libs libxml-2.0 libcurl libconfig sqlite3 libcrypto) -lm -pthread"
for f in "$@"; do
	name=$(basename "$f" .c)
	echo "fuzz: building $name"
	clang $cflags -o "$out/$name" "$f" core/*.c $libs
	mkdir -p "$out/corpus-$name"
	[ -d "tests/fuzz/corpus/$name" ] && cp -n tests/fuzz/corpus/"$name"/* "$out/corpus-$name/" 2>/dev/null || true
	echo "fuzz: running $name for ${secs}s"
	"$out/$name" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 "$out/corpus-$name"
done
