#!/usr/bin/env bash
# Provisionne Node.js 24 (binaire et en-têtes) depuis le registre npm, sans rien
# installer sur la machine : n8n 2.x et n8n-workflow 2.x exigent Node >= 24.
#
# À sourcer :   . scripts/node24.sh   (exporte PATH, NODE24_DIR, CLAUSES_CACHE)
#   Ne change pas les options du shell ; en cas d'échec, rend un code non nul
#   sans fermer le shell (un script en « set -e » s'arrête, comme il se doit).
# Ou exécuter : scripts/node24.sh <commande...>   (lance la commande sous Node 24)
#
# NODE24_DIR (dossier de Node 24, en-têtes compris) est à passer aux seules
# commandes qui compilent : npm rebuild … --nodedir="$NODE24_DIR".

_clauses_node24() {
	local version="${NODE24_VERSION:-24.21.0}"
	local root
	root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)" || return 1
	export CLAUSES_CACHE="${CLAUSES_CACHE:-$root/.cache}"
	local dir="$CLAUSES_CACHE/node-v$version"

	if [ ! -x "$dir/bin/node" ]; then
		local arch
		case "$(uname -m)" in
			x86_64 | amd64) arch=x64 ;;
			aarch64 | arm64) arch=arm64 ;;
			*)
				echo "Architecture non prise en charge : $(uname -m) (Linux x64 ou arm64 seulement)" >&2
				return 1
				;;
		esac
		echo "» Node $version : téléchargement depuis le registre npm (node-linux-$arch)…" >&2
		mkdir -p "$CLAUSES_CACHE" || return 1
		local tmp
		tmp="$(mktemp -d "$CLAUSES_CACHE/.node24.XXXXXX")" || return 1
		if ! (cd "$tmp" && npm pack --silent "node-linux-$arch@$version" >/dev/null) ||
			! mkdir -p "$tmp/extract" ||
			! tar xzf "$tmp/node-linux-$arch-$version.tgz" -C "$tmp/extract"; then
			echo "Node $version : téléchargement ou extraction de node-linux-$arch impossible (registre npm joignable ? npm présent ?)" >&2
			rm -rf "$tmp"
			return 1
		fi
		rm -rf "$dir" && mv "$tmp/extract/package" "$dir" && rm -rf "$tmp" || return 1
	fi

	# Une seule fois en tête du PATH, même sourcé plusieurs fois.
	[ "${PATH%%:*}" = "$dir/bin" ] || export PATH="$dir/bin:$PATH"
	export NODE24_DIR="$dir"
}

if [ "${BASH_SOURCE[0]}" != "$0" ]; then
	# Sourcé : ni « set » ni « exit » ; le code de retour dit si Node 24 est prêt.
	if _clauses_node24; then
		unset -f _clauses_node24
		return 0
	fi
	unset -f _clauses_node24
	return 1
fi

set -euo pipefail
_clauses_node24
if [ $# -gt 0 ]; then
	exec "$@"
fi
