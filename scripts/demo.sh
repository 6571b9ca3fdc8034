#!/usr/bin/env bash
# The main job, end to end on the bundled sample scans, with embedded defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo
echo "== dossier ocr samples/* (text, rotation and skew of every page)"
.venv/bin/dossier ocr samples/*.pdf samples/*.png samples/*.jpg samples/*.tif
