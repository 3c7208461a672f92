#!/bin/sh
# Tests for the nginx profile, run on the host once nginx is up.
# Contract (README): REDUCE_HOST and REDUCE_PORT reach the guest's port 80.
set -u
url="http://${REDUCE_HOST}:${REDUCE_PORT}"
fail() { echo "FAIL: $*"; exit 1; }
c() { curl -sS --max-time 10 "$@"; }

out=$(c -o - -w '\n%{http_code}' "$url/") || fail "GET / did not answer"
[ "$(printf '%s\n' "$out" | tail -n 1)" = 200 ] || fail "GET / status is not 200"
printf '%s\n' "$out" | grep -q "reduce: hello from nginx" || fail "GET / body lacks the page text"

code=$(c -o /dev/null -w '%{http_code}' "$url/no-such-page") || fail "GET /no-such-page did not answer"
[ "$code" = 404 ] || fail "GET /no-such-page returned $code, expected 404"

head=$(c -I "$url/") || fail "HEAD / did not answer"
printf '%s\n' "$head" | head -n 1 | grep -q " 200" || fail "HEAD / status is not 200"
printf '%s\n' "$head" | grep -qi "^content-type: text/html" || fail "HEAD / lacks Content-Type text/html (mime.types)"

# Two requests on one keep-alive connection.
ka=$(c -v -o /dev/null -o /dev/null "$url/" "$url/index.html" 2>&1) || fail "keep-alive requests failed"
printf '%s\n' "$ka" | grep -q "Re-using existing connection" || fail "the second request did not reuse the connection"
[ "$(printf '%s\n' "$ka" | grep -c "< HTTP/1.1 200")" = 2 ] || fail "keep-alive: not two 200 responses"

# 20 concurrent requests, all 200.
codes=$(seq 20 | xargs -P 20 -I{} curl -s --max-time 20 -o /dev/null -w '%{http_code}\n' "$url/?n={}")
[ "$(printf '%s\n' "$codes" | grep -c '^200$')" = 20 ] || fail "20 concurrent requests: $(printf '%s' "$codes" | tr '\n' ' ')"
echo "PASS: nginx GET, 404, HEAD, keep-alive, 20 concurrent"
