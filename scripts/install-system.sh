#!/usr/bin/env bash
# Outils du système dont les tests ont besoin, installés depuis les paquets Debian
# s'ils manquent : PostgreSQL (registre et mode file d'attente), Redis (mode file
# d'attente), poppler (PDF en texte et en images), LibreOffice Calc (classeurs
# produits ouverts ailleurs qu'avec exceljs) et Writer (clauses types .docx),
# Chromium (parcours du README et relevé en ligne dans un navigateur sans
# interface, captures d'écran de la documentation). Rien n'est sauté faute d'outil : un
# test qui ne peut pas tourner échoue.
set -euo pipefail

missing=()
[ -n "$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null)" ] || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v pdftoppm >/dev/null && command -v pdftotext >/dev/null || missing+=(poppler-utils)
command -v soffice >/dev/null || command -v libreoffice >/dev/null || missing+=(libreoffice-calc)
# Writer : les clauses types (.docx) sont ouvertes et converties en PDF par LibreOffice.
compgen -G '/usr/lib/libreoffice/program/libsw*lo.so' >/dev/null || missing+=(libreoffice-writer)
command -v chromium >/dev/null || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "Outils manquants pour les tests : ${missing[*]} — installez-les (apt-get install ${missing[*]})." >&2
	exit 1
fi
echo "» Paquets Debian pour les tests : ${missing[*]} (une fois pour toutes)…" >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
