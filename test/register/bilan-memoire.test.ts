/**
 * Mémoire du bilan sur le registre : elle ne croît pas avec le nombre de lignes
 * de relevé. Le banc bench/reception-memoire.bench.ts importe un classeur de
 * 5 000 clauses et 160 000 lignes dans un registre SQLite neuf, puis fait le
 * bilan de 2026 par le moteur de n8n dans un autre processus, le tas de V8
 * limité à 250 Mio. Mesuré : quand le bilan lisait toutes les lignes d'un coup
 * et les gardait (environ 1,9 Kio par ligne : pic de 509 Mio à 40 000 lignes,
 * 733 Mio à 160 000), il manquait de mémoire sous cette limite (« JavaScript
 * heap out of memory ») ; les lignes lues par paquets de clauses et passées au
 * bilan une à une, il tient sous 200 Mio (pic de 463 puis 495 Mio, 0,27 Kio par
 * ligne : les personnes distinctes, que le bilan compte).
 */
import path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runNode } = require('../helpers/run-script.cjs') as {
	runNode(args: string[], options?: object): { status: number | null; stdout: string; stderr: string };
};

const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');

jest.setTimeout(300_000);

it('bilan de 160 000 lignes de relevé avec un tas limité à 250 Mio : il passe, toutes les heures comptées', () => {
	const run = runNode([path.join(PACKAGE_ROOT, 'bench', 'run.mjs'), 'reception-memoire', '--lignes=160000', '--clauses=5000', '--tas=250', '--bilan=1'], { cwd: PACKAGE_ROOT });
	expect({ status: run.status, stderr: run.status === 0 ? '' : run.stderr.slice(-3000) }).toEqual({ status: 0, stderr: '' });
	const [imported, bilan] = run.stdout
		.trim()
		.split('\n')
		.filter((l) => l.startsWith('{'))
		.map((l) => JSON.parse(l) as Record<string, unknown>);
	expect(imported.lignes).toEqual({ reprises: 160000, inchangees: 0, refusees: 0, remplaceesIgnorees: 0 });
	// 160 000 lignes de 20 à 24 h (le générateur du banc) : 3 340 000 h, aucune ligne en anomalie, une synthèse.
	expect(bilan).toMatchObject({ bilan: true, elements: 1, heures: 3340000, anomalies: 0 });
});
