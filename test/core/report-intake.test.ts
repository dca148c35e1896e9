import fc from 'fast-check';

import type { IncomingReport, ReportLine } from '../../nodes/core';
import {
	BilanAccumulator,
	REPORT_LINE_READER,
	RegisterIndex,
	ReportIntake,
	clauseKey,
	clauseKeyMemo,
	memoizeText,
	monthAfterIntake,
	normalizeToken,
	parseBilanSettings,
	parseIntakeSettings,
	readRecord,
	renderAcknowledgement,
	wantedMonths,
} from '../../nodes/core';
import { sampleFollowUp } from './support';

const { releves, clauses, lot9 } = sampleFollowUp();

function registerIndex(extra: ReportLine[] = []): RegisterIndex {
	const index = new RegisterIndex();
	for (const c of clauses) index.addClause(c);
	releves.forEach((l, i) => index.addLine(readRecord(REPORT_LINE_READER, l, `ligne ${i}`), i + 2));
	for (const l of extra) index.addLine(l);
	return index;
}

function releve(lines: Array<Record<string, unknown>>, header: Record<string, unknown> = {}): IncomingReport {
	return {
		source: 'fichier « releve.xlsx »',
		fileName: 'releve.xlsx',
		itemIndexes: [0],
		header: { marche: '2025-TRX-031', lot: '9', siret: lot9.siret, mois: '2026-10', ...header },
		headerCells: { marche: 'B4', lot: 'B5', siret: 'B7', mois: 'B8' },
		feuille: 'Relevé',
		lines: lines.map((raw, i) => ({
			raw,
			where: `fichier « releve.xlsx », ligne ${12 + i}`,
			feuille: 'Relevé',
			ligne: 12 + i,
			cells: { participant: `A${12 + i}`, categoriePublic: `B${12 + i}`, modalite: `E${12 + i}`, heuresMois: `J${12 + i}`, mois: `L${12 + i}` },
			problems: [],
			itemIndex: 0,
		})),
		anomalies: [],
	};
}

const person = (participant: string, heuresMois: unknown, extra: Record<string, unknown> = {}) => ({
	participant,
	categoriePublic: 'RSA',
	modalite: 'Mise à disposition',
	employeur: 'ETTI',
	typeContrat: 'intérim',
	heuresMois,
	...extra,
});

const settings = (extra: Record<string, unknown> = {}) => parseIntakeSettings({ dateReception: '2026-11-23', ...extra });

describe('réception des relevés : règles', () => {
	it('accepte un relevé propre, en tolérant « 12,5 » et les listes saisies à la main, et date sa version', () => {
		const intake = new ReportIntake(registerIndex(), settings());
		const result = intake.receive(releve([person('031-9-P01', '12,5'), person('031-9-P02', 35, { categoriePublic: 'jeune de moins de 26 ans' })]));
		expect(result.statut).toBe('accepte');
		expect(result.compte).toMatchObject({ acceptees: 2, refusees: 0, heuresAcceptees: 47.5 });
		expect(result.versions).toEqual({ '2026-10': '2026-11-23 v1' });
		expect(result.lignes[1].valeur).toMatchObject({ categoriePublic: 'jeunePeuQualifie', modalite: 'miseADisposition', version: '2026-11-23 v1', correction: false, dateReception: '2026-11-23' });
	});

	it('refuse les lignes fautives en disant la cellule et quoi faire, garde les autres', () => {
		const intake = new ReportIntake(registerIndex(), settings());
		const result = intake.receive(
			releve([
				person('A', 160),
				person('B', 160, { justification: 'heures supplémentaires de fin de chantier' }),
				{ participant: 'C', heuresMois: 20, modalite: 'embauche' },
				person('D', 10, { categoriePublic: 'cadre supérieur' }),
				person('E', 7),
				person('E', 3),
				person('F', 8, { mois: '2027-01' }),
			]),
		);
		expect(result.statut).toBe('partiellementAccepte');
		const statuts = result.lignes.map((l) => l.statut);
		expect(statuts).toEqual(['refusee', 'nouvelle', 'refusee', 'refusee', 'nouvelle', 'refusee', 'refusee']);
		const errors = result.anomalies.filter((a) => a.gravite === 'erreur');
		expect(errors.map((a) => [a.regle, a.cellule])).toEqual([
			['releve.heuresPlausibles', 'J12'],
			['releve.public', 'B14'],
			['liste.inconnu', 'B15'],
			['releve.participantEnDouble', 'A17'],
			['releve.horsExecution', 'L18'],
		]);
		expect(errors[0].message).toBe('160\u00a0h pour une personne, au-delà de 151,67\u00a0h (temps plein mensuel), sans justification');
		expect(errors[4].message).toBe('janvier 2027 est hors de la période d’exécution (janvier 2026 à décembre 2026)');
		expect(result.anomalies.find((a) => a.regle === 'releve.heuresJustifiees')?.gravite).toBe('avertissement');
	});

	it('marché inconnu du registre : tout le relevé est refusé', () => {
		const result = new ReportIntake(registerIndex(), settings()).receive(releve([person('A', 10)], { marche: '2099-XXX-001' }));
		expect(result.statut).toBe('refuse');
		expect(result.anomalies[0]).toMatchObject({ regle: 'releve.clauseInconnue', cellule: 'B5', message: 'le marché 2099-XXX-001, lot 9 ne figure pas au registre des clauses' });
		expect(result.lignes.map((l) => l.statut)).toEqual(['refusee']);
	});

	it('doublon : un mois déjà reçu à l’identique n’est pas compté deux fois', () => {
		const september = releves.filter((l) => l.marche === '2025-TRX-031' && l.lot === '9' && l.mois === '2026-09');
		expect(september.length).toBeGreaterThan(0);
		const result = new ReportIntake(registerIndex(), settings()).receive(releve(september.map((l) => ({ ...l, mois: undefined })), { mois: '2026-09' }));
		expect(result.statut).toBe('dejaRecu');
		expect(result.compte).toMatchObject({ acceptees: 0, dejaRecues: september.length, heuresAcceptees: 0 });
		expect(result.remplacements).toEqual([]);
	});

	it('correction d’un mois passé : nouvelle version, lignes remplacées gardées en historique, même relevé reçu deux fois compté une fois', () => {
		const index = registerIndex();
		const intake = new ReportIntake(index, settings());
		const september = releves.filter((l) => l.marche === '2025-TRX-031' && l.lot === '9' && l.mois === '2026-09');
		const corrected = september.map((l, i) => ({ ...l, mois: undefined, heuresMois: i === 0 ? Number(l.heuresMois) + 10 : l.heuresMois }));
		const first = intake.receive(releve(corrected, { mois: '2026-09' }));
		expect(first.statut).toBe('accepte');
		expect(first.versions).toEqual({ '2026-09': '2026-11-23 v2' });
		expect(first.lignes[0]).toMatchObject({ statut: 'correction', valeur: { correction: true, remplace: 'v1', version: '2026-11-23 v2' } });
		expect(first.remplacements).toEqual([expect.objectContaining({ participant: september[0].participant, version: 'v1', par: '2026-11-23 v2', motif: 'correction', ligne: releves.indexOf(september[0]) + 2 })]);
		const again = intake.receive(releve(corrected, { mois: '2026-09' }));
		expect(again.statut).toBe('dejaRecu');

		// Relevé complet qui ne reprend plus un participant : retiré (mode « remplacer »), pas en mode « compléter ».
		const partial = [corrected[0]];
		if (september.length > 1) {
			const removed = new ReportIntake(registerIndex(), settings()).receive(releve(partial, { mois: '2026-09' }));
			expect(removed.remplacements.filter((r) => r.motif === 'retrait')).toHaveLength(september.length - 1);
			const kept = new ReportIntake(registerIndex(), settings({ moisDejaRecu: 'completer' })).receive(releve(partial, { mois: '2026-09' }));
			expect(kept.remplacements.filter((r) => r.motif === 'retrait')).toHaveLength(0);
		}
	});

	it('accusé : dit ce qui est accepté et refusé, échappe le HTML, clé stable pour un même contenu', () => {
		const index = registerIndex();
		const lines = [person('031-9-P01', 12), person('<b>X</b>', 200)];
		const result = new ReportIntake(index, settings()).receive(releve(lines));
		const ack = renderAcknowledgement(result, { signature: 'La mission clauses sociales\nRégion', dateReception: '2026-11-23' });
		expect(ack.to).toEqual([lot9.emailTitulaire]);
		expect(ack.cc).toEqual([lot9.emailFacilitateur]);
		expect(ack.subject).toBe('Relevé d’heures d’insertion octobre 2026 – marché 2025-TRX-031, lot 9 : partiellement accepté');
		expect(ack.text).toContain('Lignes enregistrées : 1, soit 12\u00a0h d’insertion');
		expect(ack.text).toContain('fichier « releve.xlsx », ligne 13 (cellule J13), participant <b>X</b> — heures du mois : 200\u00a0h pour une personne');
		expect(ack.html).toContain('&lt;b&gt;X&lt;/b&gt;');
		expect(ack.html).not.toContain('<b>X</b>');
		// Même relevé retraité sur un registre déjà à jour : même clé, pas de second accusé.
		const retry = new ReportIntake(registerIndex([{ ...result.lignes[0].valeur! }]), settings()).receive(releve(lines));
		expect(retry.lignes[0].statut).toBe('dejaRecue');
		expect(renderAcknowledgement(retry, { signature: '', dateReception: '2026-11-23' }).cle).toBe(ack.cle);
	});

	it('n’indexe que les mois concernés par les relevés du jour', () => {
		const wanted = wantedMonths([releve([person('A', 1)])]);
		expect([...wanted]).toEqual(['2025trx031/9|2026-10']);
	});
});

describe('bilan : indicateurs', () => {
	it('compte les heures, les personnes une fois, la mutualisation et les pénalités notifiées', () => {
		const acc = new BilanAccumulator(parseBilanSettings({ debut: '2026-01', fin: '2026-12', nombreMarches: 12 }), [
			{ nom: 'PLIE du Val d\'Argent', territoires: ['79'] },
		]);
		for (const c of clauses) acc.addClause(c);
		for (const l of releves) acc.addLine(readRecord(REPORT_LINE_READER, l, 'ligne'));
		// Une même personne sur deux marchés du même titulaire (Bâtiments Moreau et Fils : lot 4 du lycée et 2026-TRX-008).
		const moreau = clauses.filter((c) => c.titulaire === 'Bâtiments Moreau et Fils');
		expect(moreau).toHaveLength(2);
		acc.addLine(readRecord(REPORT_LINE_READER, { marche: moreau[0].marche, lot: moreau[0].lot, mois: '2026-10', participant: 'MUT-1', categoriePublic: 'RSA', modalite: 'embauche', heuresMois: 10 }, 'l'));
		acc.addLine(readRecord(REPORT_LINE_READER, { marche: moreau[0].marche, lot: moreau[0].lot, mois: '2026-10', participant: 'OLD', heuresMois: 99, categoriePublic: 'RSA', modalite: 'embauche', remplaceePar: '2026-11-23 v2' }, 'l'));
		acc.addPenalty({ marche: '2025-TRX-031', lot: '20', etape: 'notifiee', montant: 3000 });
		acc.addPenalty({ marche: '2025-TRX-031', lot: '20', etape: 'proposee', montant: 3000 });
		const bilan = acc.result();
		const inPeriod = releves.filter((l) => String(l.mois) >= '2026-01' && String(l.mois) <= '2026-12');
		const hours = inPeriod.reduce((s, l) => s + Number(l.heuresMois), 0) + 10;
		expect(bilan.synthese.heuresRealiseesPeriode).toBeCloseTo(hours, 2);
		const people = new Set(inPeriod.filter((l) => Number(l.heuresMois) > 0 && l.participant !== 'néant').map((l) => String(l.participant).toLowerCase().replace(/[^a-z0-9]/g, '')));
		expect(bilan.synthese.personnes).toBe(people.size + 1);
		expect(bilan.synthese.penalitesAppliquees).toBe(3000);
		expect(bilan.synthese.misesEnDemeure).toBe(1);
		// 2026-TRX-008 commence en 2027 : hors période.
		expect(bilan.synthese.clausesHorsPeriode).toBe(1);
		expect(bilan.synthese.marchesAvecClause).toBe(6);
		expect(bilan.synthese.partMarchesAvecClause).toBe(0.5);
		const territory = bilan.parTerritoire.find((t) => t.territoire === '79');
		expect(territory?.lots).toBe(clauses.filter((c) => c.facilitateur === 'PLIE du Val d\'Argent' && c.marche !== '2026-TRX-008').length);
		expect(bilan.publics.reduce((s, p) => s + Number(p.personnes), 0)).toBe(bilan.synthese.personnes);
	});
});

describe('mémoires des clés (lecture de centaines de milliers de lignes)', () => {
	it('clauseKeyMemo rend toujours la clé de clauseKey, même quand sa mémoire se vide', () => {
		const key = clauseKeyMemo(3);
		fc.assert(
			fc.property(fc.array(fc.record({ marche: fc.string({ unit: 'binary' }), lot: fc.string({ unit: 'binary' }) }), { maxLength: 20 }), (records) => {
				for (const r of [...records, ...records]) expect(key(r)).toBe(clauseKey(r));
			}),
		);
		// « 2025-TRX-031 » / « 4 » et « 2025-TRX-03 » / « 14 » ne se confondent pas dans la mémoire.
		expect(key({ marche: '2025-TRX-031', lot: '4' })).not.toBe(key({ marche: '2025-TRX-03', lot: '14' }));
	});

	it('memoizeText appelle la fonction une fois par texte, et se vide à sa limite', () => {
		const seen: string[] = [];
		const token = memoizeText((t) => {
			seen.push(t);
			return normalizeToken(t);
		}, 2);
		expect([token('Élodie'), token('Élodie'), token('Marc')]).toEqual(['elodie', 'elodie', 'marc']);
		expect(seen).toEqual(['Élodie', 'Marc']);
		token('Zoé'); // pleine : vidée, puis « Zoé » gardée
		token('Élodie');
		expect(seen).toEqual(['Élodie', 'Marc', 'Zoé', 'Élodie']);
	});

	it('un index limité aux mois voulus écarte les autres mois et les autres clauses du même mois', () => {
		const line = (marche: string, mois: string, participant: string): ReportLine =>
			readRecord(REPORT_LINE_READER, { marche, lot: '1', mois, participant, heuresMois: 10, categoriePublic: 'RSA', modalite: 'Embauche directe' }, 'test');
		const index = new RegisterIndex(wantedMonths([{ source: 'r', itemIndexes: [0], header: { marche: 'M-1', lot: '1', mois: '2026-12' }, anomalies: [], lines: [{ raw: { participant: 'A' }, where: 'l', problems: [], itemIndex: 0 }] } as unknown as IncomingReport]));
		index.addLine(line('M-1', '2026-12', 'A'), 2);
		index.addLine(line('M-1', '2026-11', 'B'), 3);
		index.addLine(line('M-2', '2026-12', 'C'), 4);
		const clause = { marche: 'm-1', lot: '1' } as unknown as Parameters<RegisterIndex['month']>[0];
		expect([...index.month(clause, '2026-12').values()].map((l) => l.participant)).toEqual(['A']);
		expect(index.month(clause, '2026-11').size).toBe(0);
		expect(index.month({ marche: 'M-2', lot: '1' } as unknown as Parameters<RegisterIndex['month']>[0], '2026-12').size).toBe(0);
	});
});

describe('réception des relevés : une ligne « néant » par employeur', () => {
	const DUPONT = { nomEmployeur: 'Maçonnerie Dupont', siretEmployeur: '41234567800012', employeur: 'sous-traitant' };
	const NETTOYAGE = { nomEmployeur: 'Nettoyage du Val', employeur: 'cotraitant' };
	const neant = (extra: Record<string, unknown> = {}) => ({ participant: 'néant', heuresMois: 0, ...extra });

	it('titulaire, sous-traitant et cotraitant sans heure le même mois : trois lignes « néant » acceptées', () => {
		const result = new ReportIntake(registerIndex(), settings()).receive(releve([neant(), neant(DUPONT), neant(NETTOYAGE)]));
		expect(result.statut).toBe('accepte');
		expect(result.compte).toMatchObject({ acceptees: 3, refusees: 0 });
		expect(result.lignes.map((l) => [l.statut, l.valeur?.nomEmployeur ?? null])).toEqual([
			['nouvelle', null],
			['nouvelle', 'Maçonnerie Dupont'],
			['nouvelle', 'Nettoyage du Val'],
		]);
	});

	it('deux « néant » du même employeur restent refusés : même SIRET, même raison sociale, ou le titulaire à son SIRET', () => {
		const result = new ReportIntake(registerIndex(), settings()).receive(
			releve([
				neant(DUPONT),
				neant({ ...DUPONT, nomEmployeur: 'MACONNERIE DUPONT SARL' }),
				neant(NETTOYAGE),
				neant({ nomEmployeur: 'nettoyage du val' }),
				neant(),
				neant({ siretEmployeur: lot9.siret }),
			]),
		);
		expect(result.lignes.map((l) => l.statut)).toEqual(['nouvelle', 'refusee', 'nouvelle', 'refusee', 'nouvelle', 'refusee']);
		const messages = result.anomalies.filter((a) => a.regle === 'releve.participantEnDouble').map((a) => a.message);
		expect(messages).toEqual([
			'ligne « néant » de MACONNERIE DUPONT SARL déjà déclarée pour octobre 2026 dans ce relevé (fichier « releve.xlsx », ligne 12)',
			'ligne « néant » de nettoyage du val déjà déclarée pour octobre 2026 dans ce relevé (fichier « releve.xlsx », ligne 14)',
			'ligne « néant » du titulaire déjà déclarée pour octobre 2026 dans ce relevé (fichier « releve.xlsx », ligne 16)',
		]);
		expect(result.anomalies.find((a) => a.regle === 'releve.participantEnDouble')?.correction).toBe(
			'Une seule ligne « néant » par employeur et par mois : supprimez le doublon, ou indiquez la raison sociale et le SIRET de l’employeur de chaque ligne.',
		);
	});

	it('relevés complétés au fil du mois : chaque « néant » garde sa place ; les heures d’un employeur retirent seulement son « néant »', () => {
		const index = registerIndex();
		const intake = new ReportIntake(index, settings({ moisDejaRecu: 'completer' }));
		expect(intake.receive(releve([neant(DUPONT)])).compte.acceptees).toBe(1);
		expect(intake.receive(releve([neant(NETTOYAGE), neant()])).compte).toMatchObject({ acceptees: 2, refusees: 0, retirees: 0 });
		// Le même « néant » renvoyé : déjà reçu ; un second « néant » du sous-traitant, autrement écrit : le même employeur.
		expect(intake.receive(releve([neant(DUPONT)])).lignes[0].statut).toBe('dejaRecue');
		// Des heures d'un salarié du sous-traitant : son « néant » est retiré, ceux du titulaire et du cotraitant restent.
		const hours = intake.receive(releve([person('031-9-P07', 21, DUPONT)]));
		expect(hours.compte).toMatchObject({ acceptees: 1, retirees: 1 });
		expect(hours.remplacements).toEqual([expect.objectContaining({ participant: 'néant', motif: 'retrait', cleLigne: expect.stringContaining('41234567800012') })]);
		const current = [neant(DUPONT), neant(NETTOYAGE), neant()].map((l) => readRecord(REPORT_LINE_READER, { marche: '2025-TRX-031', lot: '9', mois: '2026-10', ...l }, 'ligne'));
		expect(monthAfterIntake(current, hours, '2026-10').map((l) => [l.participant ?? 'néant', l.nomEmployeur ?? null])).toEqual([
			['néant', 'Nettoyage du Val'],
			['néant', null],
			['031-9-P07', 'Maçonnerie Dupont'],
		]);
		// Le titulaire a déjà un « néant » : ses heures le retirent ; un « néant » du titulaire après ses heures reste refusé.
		const own = intake.receive(releve([person('031-9-P01', 12)]));
		expect(own.remplacements.map((r) => [r.participant, r.cleLigne ?? null])).toEqual([['néant', null]]);
		const late = intake.receive(releve([neant()]));
		expect(late.lignes[0].statut).toBe('refusee');
		expect(late.anomalies.map((a) => a.regle)).toContain('releve.neantContradictoire');
		// … mais le « néant » d'une autre entreprise, pas encore déclarée ce mois-là, est accepté (nouvelle version du mois).
		expect(intake.receive(releve([neant({ nomEmployeur: 'Espaces verts du Val', siretEmployeur: '73282932000074' })])).lignes[0]).toMatchObject({ statut: 'correction', anomalies: [] });
	});
});
