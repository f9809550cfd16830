#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter (Rasa 3.6 supports 3.10 at most).
# Works with a plain python3.10 on PATH and with pyenv, whose shim fails unless 3.10 is selected.
set -euo pipefail
if python3.10 -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
  command -v python3.10; exit 0
fi
if command -v pyenv >/dev/null 2>&1; then
  for v in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.10(\.[0-9]+)?$' | sort -V -r); do
    p="$(pyenv root)/versions/$v/bin/python3.10"
    [ -x "$p" ] && { echo "$p"; exit 0; }
  done
fi
for p in /usr/bin/python3.10 /usr/local/bin/python3.10 "$HOME"/.pyenv/versions/3.10*/bin/python3.10; do
  [ -x "$p" ] && { echo "$p"; exit 0; }
done
echo "Python 3.10 not found: install it (e.g. 'pyenv install 3.10')" >&2
exit 1
