#!/usr/bin/env bash
# Commande de test du README : installe ce qu'il faut (Node 24, dépendances, n8n
# pour les tests de bout en bout), puis vérifie les types, le linter officiel des
# nœuds communautaires et lance tous les tests (cœur, nœuds sur le moteur de n8n,
# workflows livrés dans un vrai n8n avec un vrai serveur SMTP local).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/node24.sh
bash scripts/install-deps.sh
bash scripts/install-n8n.sh
bash scripts/install-system.sh
echo "» Vérification des types (tsc)…"
npm run --silent typecheck
echo "» Linter des nœuds communautaires (n8n-node lint)…"
npm run --silent lint
echo "» Tests (jest)…"
npx jest "$@"
