import type { IncomingReport } from '../../nodes/core';
import {
	REPORT_LINE_READER,
	RegisterIndex,
	ReportIntake,
	lineAnomalyText,
	missingReport,
	parseIntakeSettings,
	readRecord,
	receptionDateOf,
	reportsFromLineItems,
	requestedFileName,
	senderAddress,
	workbookChanges,
} from '../../nodes/core';
import { sampleFollowUp } from './support';

const { releves, clauses, lot9 } = sampleFollowUp();

describe('réception des relevés : entrées reçues', () => {
	it('date de réception : vide ou illisible → date du jour ; date d’un courriel ramenée au jour', () => {
		expect(receptionDateOf('')).toBeUndefined();
		expect(receptionDateOf(null)).toBeUndefined();
		expect(receptionDateOf(undefined)).toBeUndefined();
		expect(receptionDateOf('2026-11-05')).toBe('2026-11-05');
		expect(receptionDateOf('05/11/2026')).toBe('2026-11-05');
		expect(receptionDateOf('2026-11-05T08:12:00.000+01:00')).toBe('2026-11-05');
		expect(receptionDateOf('2026-11-05 lundi')).toBe('2026-11-05');
		expect(receptionDateOf(new Date('2026-11-05T10:00:00Z'))).toBe('2026-11-05');
		expect(receptionDateOf('bientôt')).toBeUndefined();
	});

	it('adresse de l’expéditeur : saisie, ou champ « from » d’un courriel lu par n8n', () => {
		expect(senderAddress('Jean Martin <jean.martin@entreprise.fr>')).toBe('jean.martin@entreprise.fr');
		expect(senderAddress({ text: '"Jean" <jean@entreprise.fr>' })).toBe('jean@entreprise.fr');
		expect(senderAddress({ value: [{ address: 'paie@entreprise.fr', name: 'Paie' }] })).toBe('paie@entreprise.fr');
		// Une forme inattendue ne fait pas échouer la réception : pas d'adresse.
		expect(senderAddress({ value: 'paie@entreprise.fr' })).toBeUndefined();
		expect(senderAddress(['paie@entreprise.fr'])).toBeUndefined();
		expect(senderAddress(42)).toBeUndefined();
		expect(senderAddress('pas d’adresse')).toBeUndefined();
		expect(senderAddress('')).toBeUndefined();
	});

	it('élément sans classeur .xlsx : relevé refusé qui dit quoi joindre', () => {
		const report = missingReport(2, 'paie@entreprise.fr');
		expect(report).toMatchObject({ source: 'élément 3', itemIndexes: [2], lines: [], expediteur: 'paie@entreprise.fr' });
		expect(report.anomalies).toEqual([expect.objectContaining({ gravite: 'erreur', ou: 'élément 3', message: 'aucun relevé Excel (.xlsx) reçu', regle: 'releve.absent' })]);
	});

	it('lignes reçues en éléments : les lignes consécutives d’une même clause forment un relevé', () => {
		const line = (marche: string, lot: string, participant: string) => ({ marche, lot, mois: '2026-10', participant, heuresMois: 7 });
		const items = [
			{ itemIndex: 0, json: line('M-1', '1', 'A') },
			{ itemIndex: 1, json: line('M-1', '1', 'B') },
			{ itemIndex: 3, json: { ...line('M-1', '2', 'C'), 'Marché': undefined } },
			{ itemIndex: 4, json: line('M-1', '1', 'D') },
		];
		const senders: number[] = [];
		const reports = reportsFromLineItems(items, (itemIndex) => {
			senders.push(itemIndex);
			return `expediteur${itemIndex}@entreprise.fr`;
		});
		expect(reports.map((r) => [r.source, r.itemIndexes, r.header.lot, r.expediteur])).toEqual([
			['éléments 1 à 2', [0, 1], '1', 'expediteur0@entreprise.fr'],
			['élément 4', [3], '2', 'expediteur3@entreprise.fr'],
			['élément 5', [4], '1', 'expediteur4@entreprise.fr'],
		]);
		// L'adresse n'est lue que pour l'élément qui ouvre un relevé.
		expect(senders).toEqual([0, 3, 4]);
		// Le marché et le lot sont dans l'en-tête, pas dans les lignes.
		expect(reports[0].lines.map((l) => [l.where, l.itemIndex, l.raw.marche, l.raw.participant])).toEqual([
			['élément 1', 0, undefined, 'A'],
			['élément 2', 1, undefined, 'B'],
		]);
		expect(reportsFromLineItems([], () => undefined)).toEqual([]);
	});
});

describe('réception des relevés : nouvelle version du classeur de suivi', () => {
	const person = (participant: string, heuresMois: unknown) => ({ participant, categoriePublic: 'RSA', modalite: 'Mise à disposition', employeur: 'ETTI', typeContrat: 'intérim', heuresMois });
	const report = (lines: Array<Record<string, unknown>>, mois: string): IncomingReport => ({
		source: 'fichier « releve.xlsx »',
		fileName: 'releve.xlsx',
		itemIndexes: [0],
		header: { marche: lot9.marche, lot: lot9.lot, siret: lot9.siret, mois },
		lines: lines.map((raw, i) => ({ raw, where: `ligne ${12 + i}`, problems: [], itemIndex: 0 })),
		anomalies: [],
	});
	const index = () => {
		const index = new RegisterIndex();
		for (const c of clauses) index.addClause(c);
		releves.forEach((l, i) => index.addLine(readRecord(REPORT_LINE_READER, l, `ligne ${i}`), i + 2));
		return index;
	};

	it('lignes acceptées ajoutées ; ligne du classeur corrigée marquée ; ligne corrigée dans la même exécution marquée dans les lignes ajoutées', () => {
		const intake = new ReportIntake(index(), parseIntakeSettings({ dateReception: '2026-11-23' }));
		const september = releves.filter((l) => l.marche === lot9.marche && l.lot === lot9.lot && l.mois === '2026-09');
		const corrected = september.map((l, i) => ({ ...l, mois: undefined, heuresMois: i === 0 ? Number(l.heuresMois) + 10 : l.heuresMois }));
		const first = intake.receive(report([person('N-1', 12)], '2026-10'));
		const second = intake.receive(report(corrected, '2026-09'));
		const third = intake.receive(report([person('N-1', 14)], '2026-10'));
		const changes = workbookChanges([first, second, third]);
		// N-1 (v1), les lignes de septembre corrigées (v2), N-1 corrigé (v2).
		expect(changes.rows.map((r) => [r.participant, r.version])).toEqual([
			['N-1', '2026-11-23 v1'],
			...second.lignes.filter((l) => l.valeur).map((l) => [l.participant, '2026-11-23 v2']),
			['N-1', '2026-11-23 v2'],
		]);
		expect(changes.marks).toEqual(new Map([[releves.indexOf(september[0]) + 2, '2026-11-23 v2']]));
		expect(changes.rows[0].remplaceePar).toBe('2026-11-23 v2');
		expect(changes.rows.at(-1)?.remplaceePar).toBeUndefined();
		// Les lignes ajoutées sont des copies : le résultat du contrôle n'est pas modifié.
		expect(first.lignes[0].valeur).not.toHaveProperty('remplaceePar');
		expect(workbookChanges([])).toEqual({ rows: [], marks: new Map() });
	});

	it('nom demandé pour un fichier produit : extension ajoutée au besoin, vide → nom par défaut', () => {
		expect(requestedFileName('', 'suivi (v2 du 2026-11-23).xlsx', '.xlsx')).toBe('suivi (v2 du 2026-11-23).xlsx');
		expect(requestedFileName('   ', 'defaut.xlsx', '.xlsx')).toBe('defaut.xlsx');
		expect(requestedFileName(' suivi-novembre ', 'defaut.xlsx', '.xlsx')).toBe('suivi-novembre.xlsx');
		expect(requestedFileName('suivi.xlsx', 'defaut.xlsx', '.xlsx')).toBe('suivi.xlsx');
	});

	it('anomalie d’une ligne en une phrase : gravité, champ, cellule, message, correction', () => {
		const base = { champ: 'heuresMois', libelle: 'heures du mois', ou: 'ligne 13', message: '200 h pour une personne', correction: 'Justifiez ou corrigez.', regle: 'r' };
		expect(lineAnomalyText({ ...base, gravite: 'erreur', cellule: 'J13' })).toBe('Erreur : heures du mois (J13) — 200 h pour une personne. Justifiez ou corrigez.');
		expect(lineAnomalyText({ ...base, gravite: 'avertissement' })).toBe('À vérifier : heures du mois — 200 h pour une personne. Justifiez ou corrigez.');
	});
});
