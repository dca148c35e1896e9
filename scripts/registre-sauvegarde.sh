#!/usr/bin/env bash
# Sauvegarde et restauration du registre des clauses (SQLite ou PostgreSQL).
#
#   scripts/registre-sauvegarde.sh sauvegarder --sqlite REGISTRE.sqlite SAUVEGARDE.sqlite
#   scripts/registre-sauvegarde.sh restaurer   --sqlite SAUVEGARDE.sqlite REGISTRE.sqlite [--remplacer]
#   scripts/registre-sauvegarde.sh sauvegarder --postgres SAUVEGARDE.dump [--schema clauses_sociales]
#   scripts/registre-sauvegarde.sh restaurer   --postgres SAUVEGARDE.dump [--schema clauses_sociales] [--remplacer]
#
# La sauvegarde se fait n8n en marche (instantané cohérent) ; la restauration
# d'un registre existant demande n8n arrêté et --remplacer (l'ancien est gardé
# à côté). PostgreSQL : connexion par PGHOST, PGPORT, PGUSER, PGPASSWORD (ou
# ~/.pgpass) et PGDATABASE ; pg_dump et pg_restore du paquet Debian
# « postgresql-client », de la version majeure du serveur ou plus récente.
set -euo pipefail
# Les chemins donnés restent relatifs au dossier courant.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$here/scripts/node24.sh"
exec node "$here/scripts/lib/registre-sauvegarde.cjs" "$@"
