#!/usr/bin/env bash
# n8n (2.40.7, Node 24) sur l'instance de la démonstration : scripts/n8n.sh start
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/node24.sh
exec node scripts/n8n.mjs "$@"
