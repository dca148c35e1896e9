#!/usr/bin/env bash
# Commande principale du README : prépare tout (Node 24, dépendances, n8n 2.40.7,
# MailDev) puis exécute les workflows livrés dans un vrai n8n (base SQLite) sur les
# données d'exemple ; les courriels arrivent dans MailDev (http://127.0.0.1:1080).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/node24.sh
bash scripts/install-deps.sh
bash scripts/install-n8n.sh
exec node scripts/demo.mjs "$@"
