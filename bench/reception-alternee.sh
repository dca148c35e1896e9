#!/usr/bin/env bash
# Import du classeur de suivi mesuré en alternance : une construction d'avant du
# paquet (copie de dist/ faite avant les changements : cp -r dist /tmp/dist-avant)
# contre dist/ de ce dossier, sur le même classeur, un processus Node neuf par
# mesure (le nœud dans le moteur de n8n, registre SQLite neuf : bench/reception-memoire.bench.ts).
# Rend, par tour et par construction : charge sur 1 min avant la mesure, durée,
# temps processeur, pic de mémoire résidente, lignes reprises.
#   node bench/run.mjs reception-memoire --ecrire=/tmp/suivi.xlsx --lignes=150000 --clauses=5000
#   bench/reception-alternee.sh /tmp/dist-avant /tmp/suivi.xlsx [tours]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
avant=$(cd "$1" && pwd)
classeur=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
tours=${3:-3}
[ -f "$root/bench/.out/reception-memoire.cjs" ] || { echo "Construisez d'abord le banc : node bench/run.mjs reception-memoire --ecrire=…" >&2; exit 2; }
travail=$(mktemp -d)
trap 'rm -rf "$travail"' EXIT
# Un dossier de paquet par construction : package.json, dist/, node_modules et le banc compilé.
for v in avant apres; do
	mkdir -p "$travail/$v/bench/.out"
	cp "$root/package.json" "$travail/$v/"
	ln -s "$root/node_modules" "$travail/$v/node_modules"
	cp "$root/bench/.out/reception-memoire.cjs" "$travail/$v/bench/.out/"
done
cp -r "$avant" "$travail/avant/dist"
cp -r "$root/dist" "$travail/apres/dist"
export N8N_LOG_LEVEL=silent TZ=${TZ:-Europe/Paris}
for tour in $(seq 1 "$tours"); do
	for v in avant apres; do
		export N8N_USER_FOLDER="$travail/n8n-$v-$tour"
		mkdir -p "$N8N_USER_FOLDER"
		charge=$(cut -d' ' -f1 /proc/loadavg)
		sortie=$(node --expose-gc "$travail/$v/bench/.out/reception-memoire.cjs" --mesure="$classeur" | tail -1)
		echo "tour $tour $v charge $charge $(node -e 'const o = JSON.parse(process.argv[1]); console.log(`durée ${(o.ms / 1000).toFixed(1)} s, processeur ${(o.cpuMs / 1000).toFixed(1)} s, pic ${Math.round(o.picMio)} Mio, reprises ${o.lignes.reprises}`)' "$sortie")"
		rm -rf "$N8N_USER_FOLDER"
	done
done
