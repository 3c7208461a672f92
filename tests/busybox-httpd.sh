#!/bin/sh
# Tests for the busybox-httpd profile, run on the host once the app is up.
# Contract (README): REDUCE_HOST and REDUCE_PORT reach the guest's port 80;
# exit 0 means pass.
set -u
url="http://${REDUCE_HOST}:${REDUCE_PORT}"
fail() { echo "FAIL: $*"; exit 1; }

body=$(curl -sS --max-time 10 -o - -w '\n%{http_code}' "$url/") || fail "GET / did not answer"
code=$(printf '%s\n' "$body" | tail -n 1)
[ "$code" = 200 ] || fail "GET / returned status $code, expected 200"
printf '%s\n' "$body" | grep -q "reduce: hello from busybox httpd" || fail "GET / body lacks the page text"

code=$(curl -sS --max-time 10 -o /dev/null -w '%{http_code}' "$url/no-such-page") || fail "GET /no-such-page did not answer"
[ "$code" = 404 ] || fail "GET /no-such-page returned status $code, expected 404"
echo "PASS: busybox httpd serves the page and 404s a missing one"
