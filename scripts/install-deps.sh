#!/usr/bin/env bash
# Installe les dépendances de développement (npm ci) sous Node 24, une seule fois
# par version de package-lock.json.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/node24.sh"
cd "$(dirname "${BASH_SOURCE[0]}")/.."
stamp="node_modules/.clauses-lock.sha256"
want="$(sha256sum package-lock.json | cut -d' ' -f1)-$(node --version)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
echo "» Dépendances de développement (≈ 2 min la première fois)…" >&2
# « npm install --no-save » plutôt que « npm ci » : npm 11 n'inscrit pas dans le
# verrou les liaisons natives optionnelles des autres plateformes (unrs-resolver),
# et « npm ci » refuse alors le verrou. Les versions restent celles du verrou.
npm install --no-save --no-audit --no-fund --loglevel=error
echo "$want" > "$stamp"
