#!/usr/bin/env bash
# Installe n8n (version figée) dans le cache du dépôt, une seule fois.
# Recette (docs/technique.md, « Remarques d'installation ») : `npm install n8n --ignore-scripts` (la
# compilation native de Kafka télécharge zlib et échoue hors ligne), puis
# `npm rebuild sqlite3` sous Node 24 pour la base SQLite par défaut de n8n.
# Un second appel avec le cache chaud ne réinstalle rien.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/node24.sh"

N8N_VERSION="${N8N_VERSION:-2.40.7}"
export N8N_DIR="$CLAUSES_CACHE/n8n-$N8N_VERSION"
if [ -f "$N8N_DIR/.installe" ] && [ -x "$N8N_DIR/node_modules/.bin/n8n" ]; then
  return 0 2>/dev/null || exit 0
fi

echo "» n8n $N8N_VERSION : installation dans $N8N_DIR (≈ 6 min la première fois)…" >&2
rm -rf "$N8N_DIR"
mkdir -p "$N8N_DIR"
cat > "$N8N_DIR/package.json" <<JSON
{ "name": "n8n-runtime-local", "private": true, "version": "0.0.0" }
JSON
(
  cd "$N8N_DIR"
  npm install --no-save --ignore-scripts --no-audit --no-fund --loglevel=error "n8n@$N8N_VERSION"
  npm rebuild sqlite3 --nodedir="$NODE24_DIR" --loglevel=error
)
touch "$N8N_DIR/.installe"
echo "» n8n $N8N_VERSION installé." >&2
