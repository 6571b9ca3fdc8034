#!/usr/bin/env bash
# The main job, end to end on the bundled samples, with the embedded defaults
# (SQLite and a local folder under ./data, in-process workers: no server to start).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DOSSIER_HOME="${DOSSIER_HOME:-$PWD/data}"
mkdir -p "$DOSSIER_HOME"

echo
echo "== 1. Scan to text: dossier ocr samples/* (rotation, skew and text of every page)"
.venv/bin/dossier ocr samples/*.pdf samples/*.png samples/*.jpg samples/*.tif

echo
echo "== 2. Dossiers: dossier process (documents, fields, completeness verdict, storage)"
for folder in samples/dossiers/*/; do
  name=$(basename "$folder")
  procedure=$(.venv/bin/python -c "import json,sys; print(json.load(open(sys.argv[1]))['procedure'])" "$folder/truth.json")
  echo
  echo "-- $name (thủ tục $procedure)"
  .venv/bin/dossier process "$folder"/*.pdf --procedure "$procedure"
done

echo
echo "== 3. Where everything went"
echo "records:  ${DOSSIER_DATABASE_URL:-sqlite:///$DOSSIER_HOME/hoso.sqlite3}"
echo "objects:  ${DOSSIER_STORAGE_URL:-$DOSSIER_HOME/objects}"
.venv/bin/dossier fsck

echo
echo "== 4. Search the archive without diacritics"
.venv/bin/dossier search "giay chung sinh"

echo
echo "== 5. The reception desk web app (Vietnamese)"
echo "create a staff account:  .venv/bin/dossier user add canbo --role reception --name \"Nguyễn Văn A\""
echo "start it:                .venv/bin/dossier serve   →  http://127.0.0.1:8000"
