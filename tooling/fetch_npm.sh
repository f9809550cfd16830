#!/usr/bin/env bash
# Fetch the npm packages the browser tests need (tooling/npm_packages.txt: rasa-webchat, axe-core)
# from the npm registry. Only the listed files are kept, in build/<name>-<version>/ (not
# committed); each tarball's sha512 must match the integrity string pinned in the list, so a
# changed package cannot slip in.
set -euo pipefail
cd "$(dirname "$0")/.."
LIST=${NPM_PACKAGES:-tooling/npm_packages.txt}  # another list only to check this script

fetch() {  # name version integrity file...
  local name=$1 version=$2 integrity=$3
  shift 3
  local dest="build/$name-$version" tmp got f
  local have=1
  for f in "$@"; do [ -f "$dest/$(basename "$f")" ] || have=0; done
  [ "$have" = 1 ] && return 0
  command -v npm >/dev/null || { echo "npm is needed to fetch $name (apt-get install npm)" >&2; exit 1; }
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "$name@$version" >/dev/null)
  got="sha512-$(openssl dgst -sha512 -binary "$tmp/$name-$version.tgz" | base64 -w0)"
  if [ "$got" != "$integrity" ]; then
    echo "$name $version: integrity mismatch ($got)" >&2
    rm -rf "$tmp"
    exit 1
  fi
  tar -xzf "$tmp/$name-$version.tgz" -C "$tmp" "${@/#/package/}"
  mkdir -p "$dest"
  for f in "$@"; do mv "$tmp/package/$f" "$dest/"; done
  rm -rf "$tmp"
  echo "$name $version in $dest"
}

while read -r -a fields; do
  if [ "${#fields[@]}" -gt 0 ] && [[ ${fields[0]} != \#* ]]; then
    fetch "${fields[@]}"
  fi
done <"$LIST"
