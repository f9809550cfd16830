#!/usr/bin/env bash
# Fetch rasa-webchat (the widget most Rasa sites embed) from the npm registry for the browser test
# that checks every word the assistant sends reaches a stock socket.io client. Only its standalone
# bundle (lib/index.js) is kept, in build/ (not committed); the tarball's sha512 must match the
# registry's integrity string pinned here, so a changed package cannot slip in.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=1.0.1
INTEGRITY="sha512-Ld1zVJvTAaTrs6A5p8t70agNNrKYRyXlvqXZRgBoDvKKUXbA0jhJKECi5bdPGlaR6jsmqWtVylHS+YqIqo0x8w=="
DEST=build/rasa-webchat-$VERSION
[ -f "$DEST/index.js" ] && exit 0
command -v npm >/dev/null || { echo "npm is needed to fetch rasa-webchat (apt-get install npm)" >&2; exit 1; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
(cd "$TMP" && npm pack --silent "rasa-webchat@$VERSION" >/dev/null)
GOT="sha512-$(openssl dgst -sha512 -binary "$TMP/rasa-webchat-$VERSION.tgz" | base64 -w0)"
if [ "$GOT" != "$INTEGRITY" ]; then
  echo "rasa-webchat $VERSION: integrity mismatch ($GOT)" >&2
  exit 1
fi
tar -xzf "$TMP/rasa-webchat-$VERSION.tgz" -C "$TMP" package/lib/index.js package/LICENSE
mkdir -p "$DEST"
mv "$TMP/package/lib/index.js" "$TMP/package/LICENSE" "$DEST/"
echo "rasa-webchat $VERSION in $DEST"
