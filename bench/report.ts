/** Écriture des résultats d'un banc dans bench/RESULTATS-*.md (mesures d'une même exécution). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function machine(): string {
	const cpu = os.cpus()[0]?.model ?? 'processeur inconnu';
	return `${os.cpus().length} cœur(s) ${cpu}, ${Math.round(os.totalmem() / 1024 ** 3)} Gio, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, charge moyenne de la machine au moment de l’écriture : ${os.loadavg()[0].toFixed(1).replace('.', ',')}`;
}

/** Dossier bench/ (le banc compilé s'exécute depuis bench/.out/). */
const BENCH_DIR = path.basename(__dirname) === '.out' ? path.dirname(__dirname) : __dirname;

export function writeResults(name: string, title: string, lines: string[]): string {
	const file = path.join(BENCH_DIR, `RESULTATS-${name}.md`);
	fs.writeFileSync(file, [`# ${title}`, '', `Mesuré sur : ${machine()}.`, '', ...lines, ''].join('\n'));
	return file;
}

export function mib(bytes: number): string {
	return `${fr(bytes / 1024 / 1024)} Mio`;
}

/** Nombre au format français (virgule décimale, espace fine pour les milliers). */
export function fr(value: number, decimals = 0): string {
	return new Intl.NumberFormat('fr-FR', { minimumFractionDigits: decimals, maximumFractionDigits: decimals }).format(value).replace(/\u202f/g, '\u00a0');
}
