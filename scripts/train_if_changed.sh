#!/usr/bin/env bash
# Train the Rasa model only when its inputs changed (content hash, not file times, so a fresh
# clone with an existing model and a `git checkout` both do the right thing).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
MODEL_DIR=models
NAME=triage
inputs=$(find data -name '*.yml' | LC_ALL=C sort; echo config.yml domain.yml)
hash=$(cat $inputs | sha256sum | cut -d' ' -f1)
if [ -f "$MODEL_DIR/$NAME.tar.gz" ] && [ "$(cat "$MODEL_DIR/.fingerprint" 2>/dev/null)" = "$hash" ]; then
  echo "model up to date ($MODEL_DIR/$NAME.tar.gz)"
  exit 0
fi
echo "training the model (data changed)..."
start=$(date +%s.%N)
"$VENV/bin/rasa" train --out "$MODEL_DIR" --fixed-model-name "$NAME" --quiet >/tmp/rasa-train.$$.log 2>&1 \
  || { tail -40 /tmp/rasa-train.$$.log; exit 1; }
rm -f /tmp/rasa-train.$$.log
echo "$hash" > "$MODEL_DIR/.fingerprint"
python3 -c "import sys; print(f'trained in {float(sys.argv[2]) - float(sys.argv[1]):.1f} s')" "$start" "$(date +%s.%N)"
