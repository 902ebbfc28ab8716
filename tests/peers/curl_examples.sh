#!/usr/bin/env bash
# curl against the example servers: examples/http_hello.rs, examples/https.rs
# (self-signed certificate) and the chat page of examples/chat.rs.
#
# Usage: bash curl_examples.sh HELLO_ADDR HTTPS_ADDR CHAT_ADDR
# Prints one line per check and `curl: N passed, M failed`; exits 1 on failure.
set -uo pipefail
shopt -s extglob
hello=$1 https=$2 chat=$3
passed=0 failed=0

check() { # NAME ACTUAL EXPECTED-GLOB
  # shellcheck disable=SC2053 # the pattern is a glob on purpose
  if [[ $2 == $3 ]]; then
    passed=$((passed + 1)); echo "ok - $1"
  else
    failed=$((failed + 1)); echo "FAIL - $1: got $(printf %q "$2"), expected $3"
  fi
}
c() { curl --silent --show-error --max-time 10 "$@" 2>&1; }

check "http_hello: body" "$(c "http://$hello/")" "Hello, World!"
check "http_hello: status and type" "$(c -o /dev/null -w '%{http_code} %{content_type}' "http://$hello/any/path")" "200 text/plain"
# Two requests on one connection: keep-alive.
check "http_hello: keep-alive" "$(c -w ' connects=%{num_connects}\n' "http://$hello/a" "http://$hello/b")" \
  $'Hello, World! connects=1\nHello, World! connects=0'
check "http_hello: HEAD has no body" "$(c --head "http://$hello/" | head -1 | tr -d '\r')" "HTTP/1.1 200 OK"
check "https: body over TLS" "$(c --insecure "https://$https/")" "Hello over https from 127.0.0.1:*"
check "https: HTTP/1.1 via ALPN" "$(c --insecure -o /dev/null -w '%{http_version} %{http_code}' "https://$https/")" "1.1 200"
# The certificate is self-signed: without --insecure curl must refuse it (exit 60).
c -o /dev/null "https://$https/" >/dev/null; code=$?
check "https: self-signed certificate refused without --insecure" "$code" "60"
check "chat: page" "$(c "http://$chat/" | grep -c -e 'id="messages"' -e 'id="input"' -e 'id="send"')" "3"
check "chat: page headers" "$(c -o /dev/null -w '%{http_code} %{content_type}' "http://$chat/")" "200 text/html; charset=utf-8"
check "chat: unknown path" "$(c -o /dev/null -w '%{http_code}' "http://$chat/nope")" "404"
check "chat: /ws without a handshake" "$(c -o /dev/null -w '%{http_code}' "http://$chat/ws")" "@(400|426)"

echo "curl: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
