#!/bin/sh
# Tests for the redis profile with Debian's redis-cli on the host.
set -u
cli() { timeout 20 redis-cli -h "$REDUCE_HOST" -p "$REDUCE_PORT" "$@"; }
fail() { echo "FAIL: $*"; exit 1; }

[ "$(cli PING)" = PONG ] || fail "PING did not answer PONG"
[ "$(cli SET greeting hello)" = OK ] || fail "SET failed"
[ "$(cli GET greeting)" = hello ] || fail "GET did not return the value set"
cli DEL counter >/dev/null
cli INCR counter >/dev/null
[ "$(cli INCR counter)" = 2 ] || fail "INCR did not count to 2"
[ "$(cli SET shortlived x PX 300)" = OK ] || fail "SET with PX failed"
[ "$(cli EXISTS shortlived)" = 1 ] || fail "the key with a TTL is missing at once"
sleep 1
[ "$(cli EXISTS shortlived)" = 0 ] || fail "the key with a 300 ms TTL did not expire"
# A pipeline of 1,000 commands in one connection.
out=$(seq 1000 | awk '{printf "SET key:%d %d\r\n", $1, $1}' | cli --pipe 2>&1) || fail "pipeline failed: $out"
printf '%s\n' "$out" | grep -q "errors: 0, replies: 1000" || fail "pipeline: $out"
[ "$(cli GET key:777)" = 777 ] || fail "a pipelined value is missing"
echo "PASS: redis PING, SET/GET, INCR, TTL expiry, 1000-command pipeline"
