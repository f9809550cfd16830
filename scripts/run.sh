#!/usr/bin/env bash
# Start the action server (localhost only) and the Rasa server, and say where to chat.
# Used by `make run`; stops the action server when the Rasa server stops. (`make shell` is
# tooling/shell.py: its own servers on free ports, so it runs beside this one.)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
export RASA_PORT=${RASA_PORT:-5005}   # the widget's allowed origins follow it (channels/secure_socketio.py)
ACTION_PORT=${ACTION_PORT:-5055}
MODEL=${MODEL:-models/triage.tar.gz}
ENDPOINTS=${ENDPOINTS:-endpoints.yml}    # names the action server URL (port 5055)
export SANIC_HOST=${ACTION_HOST:-127.0.0.1}   # the action server has no auth: never expose it
# The Rasa server listens on this machine only unless RASA_HOST says otherwise. Beyond it, REST is
# for server-to-server use with a bearer token: without REST_AUTH_TOKEN the server refuses to start.
RASA_HOST=${RASA_HOST:-127.0.0.1}
case "$RASA_HOST" in
  127.*|localhost|::1) ;;
  *)
    if [ -z "${REST_AUTH_TOKEN:-}" ]; then
      echo "run.sh: RASA_HOST=$RASA_HOST is not this machine only: set REST_AUTH_TOKEN (clients then send" >&2
      echo "        'Authorization: Bearer <token>'), or leave RASA_HOST unset to listen on 127.0.0.1." >&2
      exit 2
    fi
    ;;
esac
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}  # fewer malloc arenas: less resident memory

# The action server keeps an idle connection open longer than a pooling client reuses one
# (Sanic's default is 5 s; the number and its reason: deploy/stack.env).
ACTION_KEEP_ALIVE_S=${ACTION_KEEP_ALIVE_S:-$(sed -n 's/^ACTION_KEEP_ALIVE_S=//p' deploy/stack.env)}

# The SDK alone (not `rasa run actions`, which loads all of Rasa and TensorFlow): ~80 MB less.
SANIC_KEEP_ALIVE_TIMEOUT=$ACTION_KEEP_ALIVE_S \
  "$VENV/bin/python" -m rasa_sdk --actions actions --port "$ACTION_PORT" >/dev/null 2>&1 &
ACTION_PID=$!
trap 'kill $ACTION_PID 2>/dev/null || true' EXIT INT TERM

cat <<MSG

  Back-pain triage assistant
  --------------------------
  REST:   POST http://${RASA_HOST}:${RASA_PORT}/webhooks/rest/webhook  {"sender": "me", "message": "hi"}
  e.g.    curl -s ${RASA_HOST}:${RASA_PORT}/webhooks/rest/webhook -d '{"sender":"me","message":"hi"}'
  Chat in the terminal (beside this server, on its own ports): make shell.   Stop: Ctrl-C.

MSG
unset SANIC_HOST
# scripts/rasa_server.py is `rasa` without JAX (which TensorFlow imports for nothing): -64 MB.
exec_cmd=("$VENV/bin/python" scripts/rasa_server.py run --model "$MODEL" --interface "$RASA_HOST" --port "$RASA_PORT"
  --endpoints "$ENDPOINTS" --credentials "${CREDENTIALS:-credentials.yml}")
# Rasa's HTTP API (trackers, model, parse) only with a token (CVE-2024-49375): off by default.
if [ -n "${RASA_API_TOKEN:-}" ]; then
  exec_cmd+=(--enable-api --auth-token "$RASA_API_TOKEN")
fi
# Cross-origin REST calls only from these exact origins (space-separated); none by default.
if [ -n "${CORS_ORIGINS:-}" ]; then
  read -r -a origins <<<"$CORS_ORIGINS"
  exec_cmd+=(--cors "${origins[@]}")
fi
"${exec_cmd[@]}"
