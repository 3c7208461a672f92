#!/bin/sh
# The Python server's tests: the page, and a 404 for what it does not have.
base="http://$REDUCE_HOST:$REDUCE_PORT"
curl -sf --max-time 5 "$base/" | grep -q "hello from python" || exit 1
code=$(curl -s -o /dev/null -w "%{http_code}" --max-time 5 "$base/missing")
test "$code" = 404
