/**
 * Mémoire de l'import du classeur de suivi : elle ne croît pas avec le nombre
 * de lignes de relevé. Le banc bench/reception-memoire.bench.ts importe, dans
 * un processus à part et par le moteur de n8n, un classeur de 5 000 clauses et
 * 120 000 lignes de relevé dans un registre SQLite neuf, le tas de V8 limité à
 * 300 Mio (--max-old-space-size). Mesuré : quand l'import gardait toutes les
 * lignes en mémoire (environ 6,4 Kio par ligne), 150 000 lignes manquaient de
 * mémoire sous cette limite (« JavaScript heap out of memory ») ; lues en flux
 * et versées au fil de la lecture, 160 000 lignes passent sous la même limite
 * sans ralentir (le pic de mémoire résidente ne prend que la taille du fichier).
 * Une limite qui ne tient plus fait échouer le processus, donc ce test.
 */
import path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runNode } = require('../helpers/run-script.cjs') as {
	runNode(args: string[], options?: object): { status: number | null; stdout: string; stderr: string };
};

const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');

jest.setTimeout(300_000);

it('import de 120 000 lignes de relevé avec un tas limité à 300 Mio : il passe, toutes les lignes reprises', () => {
	const run = runNode([path.join(PACKAGE_ROOT, 'bench', 'run.mjs'), 'reception-memoire', '--lignes=120000', '--clauses=5000', '--tas=300'], { cwd: PACKAGE_ROOT });
	expect({ status: run.status, stderr: run.status === 0 ? '' : run.stderr.slice(-3000) }).toEqual({ status: 0, stderr: '' });
	const result = JSON.parse(run.stdout.trim().split('\n').pop()!) as { lignes: Record<string, number>; elements: number; picMio: number };
	expect(result.lignes).toEqual({ reprises: 120000, inchangees: 0, refusees: 0, remplaceesIgnorees: 0 });
	// Un seul élément en sortie (la synthèse), quel que soit le nombre de lignes.
	expect(result.elements).toBe(1);
});
