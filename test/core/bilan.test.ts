/**
 * Bilan : chaque chiffre recompté à la main sur un petit jeu d'enregistrements
 * (marchés avec et sans clause, clauses à courbe et sans courbe, relevés,
 * pénalités), donné au cœur tel que le donnerait une base de données.
 */
import {
	BilanRecordSetSchema,
	MARKET_READER,
	PENALTY_READER,
	addProof,
	addStep,
	bilanDocument,
	bilanKeyFigures,
	bilanSummary,
	commitmentBilan,
	computeBilan,
	declareCommitment,
	natureLabel,
	parseBilanSettings,
	penaltyInput,
	readRecord,
	tryReadRecord,
} from '../../nodes/core';

const clause = (marche: string, lot: string, extra: Record<string, unknown> = {}) => ({
	marche,
	lot,
	siret: '88443430614252',
	titulaire: `Titulaire ${marche}`,
	emailTitulaire: 't@example.test',
	heuresDues: 1000,
	debutExecution: '2025-01-01',
	finExecution: '2026-12-31',
	facilitateur: 'PLIE du Val d\u2019Argent',
	emailFacilitateur: 'f@example.test',
	acheteur: 'Direction des lycées',
	emailAcheteur: 'a@example.test',
	...extra,
});

const line = (marche: string, lot: string, mois: string, participant: string, heuresMois: number, extra: Record<string, unknown> = {}) => ({ marche, lot, mois, participant, heuresMois, ...extra });

function records() {
	return BilanRecordSetSchema.parse({
		marches: [
			{ marche: 'TRX-1', nature: 'travaux', acheteur: 'Direction des lycées', territoire: '79', dateNotification: '2024-11-15' },
			{ marche: 'TRX-2', nature: 'Travaux', acheteur: 'Direction des lycées', territoire: '86', dateNotification: '2025-03-01' },
			{ marche: 'DSP-1', nature: 'DSP', acheteur: 'Direction des transports', territoire: '79', dateNotification: '2025-05-01' },
			{ marche: 'SRV-1', nature: 'services', acheteur: 'Direction des moyens généraux', territoire: '17', dateNotification: '2025-06-01' },
			{ marche: 'SRV-2', nature: 'services', acheteur: 'Direction des moyens généraux', territoire: '17', dateNotification: '2025-07-01' },
			// Notifié avant la période, sans clause : hors du dénominateur.
			{ marche: 'SRV-OLD', nature: 'services', dateNotification: '2023-02-01' },
			// Exécution connue, recoupe la période : compté.
			{ marche: 'PI-1', nature: 'PI', acheteur: 'Direction des transports', debutExecution: '2024-06-01', finExecution: '2025-02-28' },
		],
		clauses: [
			// 1 000 h du 1er janvier 2025 au 31 décembre 2026 : à fin 2025, 365 / 730 jours → 500 h attendues.
			clause('TRX-1', '1'),
			// Courbe : 300 h attendues à fin 2025, quel que soit le prorata.
			clause('TRX-2', '3', { heuresDues: 600, debutExecution: '2025-03-01', finExecution: '2027-02-28', courbe: '2025-06:100 ; 2025-12:300 ; 2026-12:600', territoire: '86' }),
			clause('DSP-1', 'unique', { heuresDues: 1800, debutExecution: '2025-07-01', finExecution: '2031-06-30', acheteur: 'Direction des transports' }),
			// Commence en 2027 : hors période.
			clause('TRX-9', '1', { debutExecution: '2027-01-01', finExecution: '2027-12-31' }),
		],
		lignes: [
			line('TRX-1', '1', '2024-12', 'A', 20),
			line('TRX-1', '1', '2025-02', 'A', 100, { sexe: 'F', trancheAge: 'moins de 26 ans', residentQpv: 'oui', categoriePublic: 'RSA' }),
			line('TRX-1', '1', '2025-03', 'B', 150, { sexe: 'homme', trancheAge: '50 ans et plus', categoriePublic: 'DELD' }),
			line('TRX-1', '1', '2025-03', 'A', 30, { situationSixMois: 'formation qualifiante' }),
			line('TRX-2', '3', '2025-06', 'C', 90, { sexe: 'femme', categoriePublic: 'RQTH', residentQpv: 'non', situationSixMois: 'emploi durable' }),
			line('TRX-2', '3', '2025-06', 'OLD', 250, { remplaceePar: '2025-07-10 v2' }),
			line('DSP-1', 'unique', '2025-09', 'D', 151, { categoriePublic: 'jeune' }),
			line('DSP-1', 'unique', '2026-01', 'D', 80),
			line('TRX-1', '1', '2025-04', 'néant', 0),
		],
		penalites: [
			{ marche: 'TRX-2', lot: '3', etape: 'Mise en demeure', montant: '3 000' },
			{ marche: 'TRX-2', lot: '3', etape: 'pénalités notifiées', montant: 2400 },
			{ marche: 'TRX-2', lot: '3', etape: 'titre de recette', montant: 1000, date: '2025-12-20' },
			// Datée de l'année suivante : hors période.
			{ marche: 'TRX-2', lot: '3', etape: 'recouvrée', montant: 1400, date: '2026-02-03' },
		],
	});
}

describe('bilan : chiffres recomptés', () => {
	const bilan = computeBilan(parseBilanSettings({ debut: '2025-01', fin: '2025-12' }), records());
	const s = bilan.synthese;

	it('parts des marchés avec clause par nature, service et territoire, sur tous les marchés de la période', () => {
		// Période : TRX-1 (notifié en 2024 mais en exécution), TRX-2, DSP-1, SRV-1, SRV-2, PI-1 ; SRV-OLD exclu.
		expect(s).toMatchObject({ marchesAvecClause: 3, lotsAvecClause: 3, nombreMarches: 6, marchesSansClause: 3, partMarchesAvecClause: 0.5, clausesHorsPeriode: 1, listeDesMarches: true });
		const nature = Object.fromEntries(bilan.parNature.map((r) => [r.nature, [r.marches, r.marchesAvecClause, r.marchesSansClause, r.part]]));
		expect(nature).toEqual({
			Travaux: [2, 2, 0, 1],
			Services: [2, 0, 2, 0],
			'Prestations intellectuelles': [1, 0, 1, 0],
			'Délégation de service public': [1, 1, 0, 1],
		});
		const service = Object.fromEntries(bilan.parService.map((r) => [r.service, [r.marches, r.marchesAvecClause]]));
		expect(service).toEqual({ 'Direction des lycées': [2, 2], 'Direction des transports': [2, 1], 'Direction des moyens généraux': [2, 0] });
		const territoire = Object.fromEntries(bilan.parTerritoire.map((r) => [r.territoire, [r.marches, r.marchesAvecClause, r.heuresRealiseesPeriode]]));
		expect(territoire).toEqual({ '79': [2, 2, 280 + 151], '86': [1, 1, 90], '17': [2, 0, 0], 'Non renseigné': [1, 0, 0] });
	});

	it('réalisation à date (prorata ou courbe) à côté de la réalisation sur le total', () => {
		const lot = (marche: string) => bilan.parLot.find((l) => l.marche === marche)!;
		expect(lot('TRX-1')).toMatchObject({ heuresAttenduesADate: 500, heuresRealiseesCumul: 300, heuresRealiseesPeriode: 280, tauxRealisationADate: 0.6, tauxRealisation: 0.3 });
		expect(lot('TRX-2')).toMatchObject({ courbe: 'oui', heuresAttenduesADate: 300, heuresRealiseesCumul: 90, tauxRealisationADate: 0.3, tauxRealisation: 0.15 });
		// DSP : 184 jours écoulés sur 2 191 → 151,16 h attendues.
		const dsp = lot('DSP-1');
		expect(dsp.heuresAttenduesADate).toBeCloseTo((1800 * 184) / 2191, 2);
		expect(s.heuresAttenduesADate).toBeCloseTo(500 + 300 + (1800 * 184) / 2191, 1);
		expect(s.tauxRealisationADate).toBeCloseTo((300 + 90 + 151) / (500 + 300 + (1800 * 184) / 2191), 3);
		expect(s.tauxRealisation).toBeCloseTo((300 + 90 + 151) / 3400, 3);
		expect(bilanKeyFigures(bilan).join(' ')).not.toContain('sous 50 %\u00a0des heures attendues');
		expect(bilanKeyFigures(bilan).find((l) => l.includes('sous 50'))).toBe('1 lot(s) sous 50 % des heures attendues à fin décembre 2025 (feuille « Par lot »).');
	});

	it('pénalités proposées, notifiées, recouvrées', () => {
		expect(s).toMatchObject({ penalitesProposees: 3000, penalitesAppliquees: 2400, penalitesRecouvrees: 1000, misesEnDemeure: 1 });
		expect(bilan.penalites).toEqual([expect.objectContaining({ marche: 'TRX-2', lot: '3', penalitesProposees: 3000, penalitesAppliquees: 2400, penalitesRecouvrees: 1000, resteARecouvrer: 1400 })]);
	});

	it('publics prioritaires, situations à six mois, mois et années', () => {
		expect(s.personnes).toBe(4);
		expect(s.femmes).toBe(2);
		const row = (indicateur: string) => bilan.publicsPrioritaires.find((r) => r.indicateur === indicateur)!;
		expect(row('Femmes')).toMatchObject({ personnes: 2, heures: 130 + 90, nonRenseigne: 1 });
		// D : « jeune » par sa catégorie ; A : tranche d'âge.
		expect(row('Moins de 26 ans')).toMatchObject({ personnes: 2, heures: 130 + 151, nonRenseigne: 1 });
		expect(row('50 ans et plus')).toMatchObject({ personnes: 1, heures: 150 });
		expect(row('Résidents d\u2019un quartier prioritaire (QPV)')).toMatchObject({ personnes: 1, nonRenseigne: 2 });
		expect(row('Bénéficiaires du RSA')).toMatchObject({ personnes: 1, heures: 130, part: 0.25 });
		expect(row('Demandeurs d\u2019emploi de longue durée').personnes).toBe(1);
		expect(row('Travailleurs handicapés (RQTH)').personnes).toBe(1);
		const sorties = Object.fromEntries(bilan.sorties.map((r) => [r.situation, r.personnes]));
		expect(sorties['Formation qualifiante']).toBe(1);
		expect(sorties['Emploi durable (CDI, CDD ou intérim de 6 mois et plus, création d\u2019entreprise)']).toBe(1);
		expect(sorties['Non renseigné']).toBe(2);
		expect(bilan.parMois).toHaveLength(12);
		expect(bilan.parMois.find((m) => m.mois === '2025-03')?.heures).toBe(180);
		expect(bilan.parMois.reduce((a, m) => a + Number(m.heures), 0)).toBe(s.heuresRealiseesPeriode);
		expect(bilan.parAnnee).toEqual([
			{ annee: '2024', heures: 20, personnes: 1, evolution: null, anneeIncomplete: 'non' },
			{ annee: '2025', heures: 521, personnes: 4, evolution: 25.05, anneeIncomplete: 'non' },
		]);
	});

	it('nature lue de la liste des marchés quand le registre ne la porte pas, au libellé du référentiel', () => {
		expect(natureLabel('DSP')).toBe('Délégation de service public');
		expect(natureLabel('maîtrise d\u2019œuvre')).toBe('Prestations intellectuelles');
		expect(natureLabel('Bricolage')).toBe('Bricolage');
		expect(bilan.parMarche.map((m) => [m.marche, m.nature])).toEqual([
			['TRX-1', 'Travaux'],
			['TRX-2', 'Travaux'],
			['DSP-1', 'Délégation de service public'],
		]);
	});

	it('sans liste des marchés : pas de part inventée', () => {
		const r = records();
		const without = computeBilan(parseBilanSettings({ debut: '2025-01', fin: '2025-12' }), { ...r, marches: [] });
		expect(without.synthese).toMatchObject({ nombreMarches: null, partMarchesAvecClause: null, marchesSansClause: null, listeDesMarches: false });
		expect(without.parNature.find((n) => n.nature === 'Non renseigné')).toMatchObject({ marches: null, marchesAvecClause: 3, part: null });
	});

	it('lecteurs des marchés et des pénalités : erreurs en français, sortie du nœud des avis acceptée', () => {
		const bad = tryReadRecord(PENALTY_READER, { marche: 'M', lot: '1', etape: 'annulée', montant: 10 }, 'ligne 4');
		expect(bad.ok).toBe(false);
		if (!bad.ok) expect(bad.error.message).toMatch(/étape : «.annulée.» n.est pas une étape de pénalité \(proposée, notifiée, recouvrée\) reconnue/);
		const fromNode = readRecord(PENALTY_READER, penaltyInput({ marche: 'M', lot: '1', etape: 'miseEnDemeure', penalites: { total: 1250.5 }, dateDocument: '2026-05-02' }), 'élément 1');
		expect(fromNode).toEqual({ marche: 'M', lot: '1', etape: 'proposee', montant: 1250.5, date: '2026-05-02' });
		expect(readRecord(MARKET_READER, { 'N° marché': 'M', 'Nature du marché': 'DSP', 'Service acheteur': 'Transports', 'Date de notification': '15/03/2025' }, 'ligne 2')).toEqual({ marche: 'M', nature: 'DSP', acheteur: 'Transports', dateNotification: '2025-03-15' });
	});

	it('autres considérations sociales : page du document des élus, phrase du courriel ; absentes sans engagements lus', () => {
		let late = declareCommitment(
			undefined,
			{ marche: 'TRX-1', lot: '1', numero: 'EG-1', type: 'egaliteFemmesHommes', libelle: 'Recruter au moins une femme parmi les personnes en insertion', indicateur: 'femmes recrutées', echeances: [{ date: '2025-06-30', cible: 1 }] },
			'déclaré au registre',
		);
		late = addStep(late, { echeance: '2025-06-30', etape: 'relance', date: '2025-07-02' });
		const kept = addProof(
			declareCommitment(undefined, { marche: 'DSP-1', lot: 'unique', numero: 'ST-1', type: 'stagiaires', libelle: 'Accueillir deux stagiaires', indicateur: 'stagiaires accueillis', echeances: [{ date: '2025-10-31' }] }, 'déclaré au registre'),
			{ echeance: '2025-10-31', dateReception: '2025-10-20', valeur: 2 },
			'élément 1',
		);
		const commitments = commitmentBilan(
			[
				{ key: 'a', record: late, clauseStatus: 'enCours', titulaire: 'Titulaire TRX-1' },
				{ key: 'b', record: kept, clauseStatus: 'enCours', titulaire: 'Titulaire DSP-1' },
			],
			{ debut: '2025-01-01', fin: '2025-12-31', dateSuivi: '2025-12-31' },
			{ delaiRelanceJours: 15, delaiMiseEnDemeureJours: 15, penaliteJour: 100 },
		);
		const doc = bilanDocument(bilan, { titre: 'Bilan 2025', dateBilan: '2026-01-15' }, commitments);
		const page = doc.pages.at(-1)!;
		expect(page.titre).toBe('Autres considérations sociales');
		expect(page.paragraphes).toEqual([commitments.texte]);
		expect(page.tableaux[0].colonnes).toEqual(['Engagement', 'Marché / lot', 'Titulaire', 'Indicateur', 'Échéance', 'État']);
		expect(page.tableaux[0].lignes).toEqual([
			['EG-1 – Recruter au moins une femme parmi les personnes en insertion', 'TRX-1, lot 1', 'Titulaire TRX-1', 'femmes recrutées', '30/06/2025', 'en retard, relancé le 02/07/2025, mise en demeure à envoyer'],
			['ST-1 – Accueillir deux stagiaires', 'DSP-1, lot unique', 'Titulaire DSP-1', 'stagiaires accueillis', '31/10/2025', 'tenu'],
		]);
		expect(doc.methode.at(-1)).toContain('Alliance Villes Emploi');
		const mail = bilanSummary(bilan, { titre: 'Bilan 2025', fichier: 'bilan.xlsx', dateBilan: '2026-01-15', autresConsiderations: commitments.texte });
		expect(mail.texte).toContain(`- ${commitments.texte}`);
		expect(mail.texte).toContain('pénalités, autres considérations sociales.');

		// Bilan sans registre (classeur, éléments) : ni page ni phrase.
		const plain = bilanDocument(bilan, { titre: 'Bilan 2025', dateBilan: '2026-01-15' });
		expect(plain.pages.map((p) => p.titre)).not.toContain('Autres considérations sociales');
		expect(bilanSummary(bilan, { titre: 'Bilan 2025', fichier: 'bilan.xlsx', dateBilan: '2026-01-15' }).texte).not.toContain('considérations');
	});
});
