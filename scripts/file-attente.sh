#!/usr/bin/env bash
# n8n en mode file d'attente sur cette machine : Redis, PostgreSQL (base de n8n
# et registre des clauses), instance principale et 2 workers, sur 127.0.0.1.
#
#   scripts/file-attente.sh start    prépare (la première fois) et démarre tout
#   scripts/file-attente.sh status   état de chaque processus
#   scripts/file-attente.sh stop     arrête tout proprement (les données restent)
#
# Dossier : .file-attente/ (ou CLAUSES_FILE_ATTENTE_DIR) ; journaux dans son
# sous-dossier journaux/. Courriels vers le serveur SMTP 127.0.0.1:1025 (ou
# CLAUSES_SMTP_HOST, CLAUSES_SMTP_PORT), par exemple MailDev.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/node24.sh
case "${1:-}" in
	start)
		bash scripts/install-deps.sh
		bash scripts/install-n8n.sh
		;;
	stop | status) ;;
	*)
		echo "Utilisation : scripts/file-attente.sh start|stop|status" >&2
		exit 2
		;;
esac
exec node scripts/lib/queue-mode.cjs "$1"
