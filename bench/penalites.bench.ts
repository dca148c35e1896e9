/**
 * Banc : avis de pénalité pour un grand nombre de clauses échues, dans le
 * moteur de n8n (WorkflowExecute) : calcul, lettre PDF et annexe Excel par
 * clause (mode revue), puis envoi à un serveur SMTP local (mode envoi).
 * Taille : BENCH_CLAUSES (1 000 par défaut), une mise en demeure par clause.
 */
import type { IDataObject } from 'n8n-workflow';
import fs from 'node:fs';

import { resetRegister, runNode } from '../test/helpers/engine';
import { SmtpSink } from '../test/helpers/smtp-sink';
import { fr, mib, writeResults } from './report';

const CLAUSES = Number(process.env.BENCH_CLAUSES ?? 1000);
const MONTHS = ['2025-10', '2025-11', '2025-12', '2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09'];

function data(count: number): IDataObject[] {
	const out: IDataObject[] = [];
	for (let i = 0; i < count; i++) {
		const marche = `2025-B-${String(Math.floor(i / 10)).padStart(4, '0')}`;
		const lot = String((i % 10) + 1);
		out.push({
			marche,
			lot,
			intitule: `Lot ${lot} – travaux`,
			titulaire: `Entreprise ${i}`,
			siret: '73282932000074',
			emailTitulaire: `titulaire-${i}@example.test`,
			heuresDues: 600,
			debutExecution: '2025-10-01',
			finExecution: '2026-09-30',
			facilitateur: 'PLIE du Val d’Argent',
			emailFacilitateur: 'plie@example.test',
			acheteur: 'Direction des lycées',
			emailAcheteur: 'lycees@example.test',
			montantHT: 500000 + i,
			statut: 'terminée',
		});
		for (const mois of MONTHS) out.push({ marche, lot, mois, participant: 'P1', heuresMois: 40 + (i % 7) });
	}
	return out;
}

const parameters = (mode: 'revue' | 'envoyer') => ({
	mode,
	source: 'elements',
	dateAvis: '2026-11-23',
	emetteur: 'Région Val-d’Argent\nDirection de la commande publique',
	signature: 'La directrice de la commande publique',
	// Banc : envoi délibéré sans revue (sans empreintes, rien ne partirait).
	options: { debitParSeconde: 0, envoiSansRevue: mode === 'envoyer' },
});

async function main(): Promise<void> {
	{
		const items = data(CLAUSES);
		await runNode({ type: 'clausePenalty', parameters: parameters('revue') }, data(5)); // chauffe
		const heapBefore = process.memoryUsage().heapUsed;
		let start = process.hrtime.bigint();
		const review = await runNode({ type: 'clausePenalty', parameters: parameters('revue') }, items);
		const reviewMs = Number(process.hrtime.bigint() - start) / 1e6;
		const heapAfter = process.memoryUsage().heapUsed;
		const notices = review.items.filter((i) => i.json.etape === 'miseEnDemeure').length;
		if (notices !== CLAUSES) throw new Error(`${notices} avis au lieu de ${CLAUSES}`);

		const sink = await new SmtpSink().start();
		let sendMs = 0;
		try {
			resetRegister();
			start = process.hrtime.bigint();
			const sent = await runNode(
				{ type: 'clausePenalty', parameters: parameters('envoyer'), credentials: { clausesSocialesSmtpApi: { id: 's', name: 'SMTP' } } },
				items,
				{ credentials: { clausesSocialesSmtpApi: { host: '127.0.0.1', port: sink.port, securite: 'aucune', expediteurEmail: 'clauses@example.test' } } },
			);
			sendMs = Number(process.hrtime.bigint() - start) / 1e6;
			const ok = sent.items.filter((i) => (i.json.envoi as IDataObject).statut === 'envoyé').length;
			if (ok !== CLAUSES) throw new Error(`${ok} avis envoyés au lieu de ${CLAUSES}`);
			await sink.waitFor(CLAUSES, 60000);
		} finally {
			await sink.stop();
		}
		const file = writeResults('penalites', 'Banc : avis de pénalité', [
			`- ${fr(CLAUSES)} clauses échues (12 relevés chacune), une mise en demeure par clause, nœud « Avis de pénalité » dans le moteur de n8n (WorkflowExecute), éléments en entrée.`,
			`- Revue (calcul, lettre PDF, annexe Excel, binaires n8n) : ${fr(reviewMs, 0)} ms, soit **${fr(reviewMs / CLAUSES, 1)} ms par avis** ; tas après la revue : +${mib(Math.max(0, heapAfter - heapBefore))}.`,
			`- Envoi (mêmes documents, une connexion SMTP, serveur local) : ${fr(sendMs, 0)} ms, soit **${fr(sendMs / CLAUSES, 1)} ms par avis**.`,
		]);
		process.stdout.write(`${fs.readFileSync(file, 'utf8')}\n${file}\n`);
		if (!(reviewMs > 0)) throw new Error('mesure invalide');
	}
}

main().then(
	() => process.exit(0),
	(error: unknown) => {
		process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
		process.exit(1);
	},
);
