import fc from 'fast-check';

import type { ClauseRecord, PenaltySettingsInput } from '../../nodes/core';
import {
	PENALTY_HISTORY_READER,
	approvalSubject,
	CLAUSE_READER,
	PENALTY_FIELDS_READER,
	addDays,
	addMonths,
	assessPenalties,
	buildLetter,
	daysBetween,
	decideStep,
	letterText,
	readRecord,
	renderNoticeMail,
	tryReadRecord,
	withHistory,
} from '../../nodes/core';
import { NBSP, anomalyFrom, penaltySettingsAt } from './support';

const clause = (overrides: Record<string, unknown> = {}): ClauseRecord =>
	readRecord(
		CLAUSE_READER,
		{
			marche: '2026-TRX-014',
			objet: 'Rénovation du lycée Jean-Jaurès',
			lot: '20',
			intitule: 'Électricité',
			siret: '73282932000074',
			titulaire: 'Élec & Cie',
			contactTitulaire: 'Mme Durand',
			emailTitulaire: 'contact@elec.example.test',
			heuresDues: 455,
			debutExecution: '2026-01-01',
			finExecution: '2026-06-30',
			facilitateur: 'PLIE du Val d’Argent',
			emailFacilitateur: 'plie@example.test',
			acheteur: 'Direction des lycées',
			emailAcheteur: 'lycees@region.example.test',
			montantHT: 600000,
			...overrides,
		},
		'clause',
	);

const fields = (raw: Record<string, unknown> = {}) => readRecord(PENALTY_FIELDS_READER, raw, 'clause');

const settings = (extra: Partial<Record<keyof PenaltySettingsInput, unknown>> = {}) => penaltySettingsAt('2026-07-20', extra);

/** 50 h déclarées chaque mois de janvier à juin 2026 (300 h), sauf les mois omis. */
const declared = (omit: string[] = [], hours = 50) =>
	new Map(['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06'].filter((m) => !omit.includes(m)).map((m) => [m, hours]));

describe('calcul des pénalités', () => {
	it('heures non réalisées : 455 − 300 = 155 h × 60 € = 9 300 €, plafond 20 % de 600 000 €', () => {
		const a = assessPenalties(clause(), fields(), declared(), settings());
		expect(a.heures).toMatchObject({ dues: 455, realisees: 300, neutralisees: 0, manquantes: 155, origineRealisees: 'relevés mensuels' });
		expect(a.lignes).toHaveLength(1);
		expect(a.lignes[0]).toMatchObject({ code: 'heures', quantite: 155, taux: 60, montant: 9300 });
		expect(a.lignes[0].formule).toBe(`155 h × 60,00${NBSP}€`);
		expect(a.plafond).toMatchObject({ montantAssiette: 600000, montant: 120000, applique: false });
		expect(a.total).toBe(9300);
		// Exécution de six mois : le montant annuel est le montant du marché (avertissement).
		expect(a.avertissements.map((w) => w.regle)).toEqual(['penalite.plafondAnnuel']);
		expect(a.parametres.tauxHoraire).toMatchObject({ valeur: 60, origine: 'paramètre du nœud' });
		expect(a.parametres.tauxHoraire.source).toContain('CCAP d’un acheteur public (barème de référence) : 60 € HT par heure non réalisée');
	});

	it('une clause sans heures (engagements seulement) n’a aucune pénalité pour des heures, des relevés ou un bilan, même sans aucun relevé', () => {
		const none = clause({ heuresDues: 0, mecanisme: 'actions qualitatives' });
		const a = assessPenalties(none, fields({ bilanRemis: false }), new Map(), settings({ dateCalcul: '2026-09-30' }));
		expect(a.lignes).toEqual([]);
		expect(a.relevesManquants).toEqual([]);
		expect(a.bilan).toBeNull();
		expect(a.total).toBe(0);
		const step = decideStep(none, fields({ bilanRemis: false }), a);
		expect(step).toMatchObject({ etape: 'aucune', cleEnvoi: null });
		expect(step.motif).toContain('Clause sans heures d’insertion');
		// La même clause avec des heures et sans relevé est pénalisée (le contrôle ci-dessus peut échouer).
		const withHours = assessPenalties(clause(), fields({ bilanRemis: false }), new Map(), settings({ dateCalcul: '2026-09-30' }));
		expect(withHours.lignes.map((l) => l.code)).toEqual(['heures', 'bilan']);
		expect(withHours.relevesManquants).toHaveLength(6);
	});

	it('une clause sans heures manquantes n’a aucune pénalité, même au-delà de l’objectif', () => {
		const a = assessPenalties(clause({ heuresDues: 300 }), fields(), declared([], 60), settings());
		expect(a.heures).toMatchObject({ manquantes: 0, surplus: 60 });
		expect(a.lignes).toEqual([]);
		expect(a.total).toBe(0);
		expect(decideStep(clause({ heuresDues: 300 }), fields(), a)).toMatchObject({ etape: 'aucune', cleEnvoi: null });
		expect(a.avertissements.map((w) => w.regle)).toContain('penalite.objectifDepasse');
	});

	it('les heures neutralisées (suspension) réduisent les heures manquantes', () => {
		const f = fields({ 'Heures neutralisées': '100', 'Motif de neutralisation': 'suspension', 'Début de la neutralisation': '01/03/2026', 'Fin de la neutralisation': '31/03/2026', 'Référence de la neutralisation': 'OS n° 7' });
		const a = assessPenalties(clause(), f, declared(), settings());
		expect(a.heures).toMatchObject({ neutralisees: 100, manquantes: 55 });
		expect(a.heures.neutralisations[0]).toMatchObject({ motif: 'suspension', heures: 100, debut: '2026-03-01', reference: 'OS n° 7' });
		expect(a.total).toBe(3300);
		expect(a.lignes[0].detail).toBe(`455${NBSP}h dues − 100${NBSP}h neutralisées − 300${NBSP}h réalisées = 55${NBSP}h non réalisées`);
	});

	it('heures manquantes entièrement neutralisées (tous les moyens mis en œuvre) : aucune pénalité', () => {
		const c = clause();
		const f = fields({ heuresNeutralisees: 155, motifNeutralisation: 'tous les moyens' });
		const a = assessPenalties(c, f, declared(), settings());
		expect(a.total).toBe(0);
		expect(decideStep(c, f, a)).toMatchObject({ etape: 'aucune', motif: 'Aucune pénalité : heures manquantes neutralisées, relevés à jour.' });
	});

	it('arrondi : un demi-centime exact est arrondi au centime supérieur (demi loin de zéro), sans erreur binaire', () => {
		// Règle testée : roundTo (nodes/core/numbers.ts), docs/noeuds/avis-penalite.md « Arrondis » : chaque ligne au centime, demi-centime
		// vers le haut. 0,57 h × 12,50 € = 7,125 € exactement : 7,13 € selon cette règle ; 7,12 € au demi pair
		// (arrondi bancaire), par troncature, ou par un Math.round(x × 100) / 100 naïf, car 0,57 × 12,5 vaut
		// 7,124999… en virgule flottante.
		expect(0.57 * 12.5).toBeLessThan(7.125);
		const a = assessPenalties(clause({ heuresDues: 300.57 }), fields({ tauxHoraire: '12,50' }), declared(), settings());
		expect(a.heures.manquantes).toBe(0.57);
		expect(a.lignes[0]).toMatchObject({ quantite: 0.57, taux: 12.5, formule: `0,57 h × 12,50${NBSP}€`, montant: 7.13 });
		expect(a.sommeLignes).toBe(7.13);
		expect(a.total).toBe(7.13);
		// Heures manquantes au centième d'heure : 312,345 − 300 = 12,345… h → 12,35 h ; 12,35 h × 60 € = 741,00 €.
		const b = assessPenalties(clause({ heuresDues: 312.345 }), fields(), declared(), settings());
		expect(b.heures.manquantes).toBe(12.35);
		expect(b.lignes[0].montant).toBe(741);
	});

	it('plafond : 20 % du montant annuel, diminué des pénalités déjà appliquées', () => {
		const c = clause({ montantAnnuelHT: 40000 });
		const a = assessPenalties(c, fields({ penalitesDejaAppliquees: 2000 }), declared(), settings());
		expect(a.sommeLignes).toBe(9300);
		expect(a.plafond).toMatchObject({ montant: 8000, dejaAppliquees: 2000, disponible: 6000, applique: true });
		expect(a.total).toBe(6000);
		expect(a.plafond.formule).toBe(`20${NBSP}% × 40${NBSP}000,00${NBSP}€ = 8${NBSP}000,00${NBSP}€ − 2${NBSP}000,00${NBSP}€ déjà appliquées = 6${NBSP}000,00${NBSP}€`);
	});

	it('plafond sur le montant total si le CCAP le prévoit (colonne du registre)', () => {
		const a = assessPenalties(clause({ montantHT: 30000 }), fields({ 'Assiette du plafond': 'montant total' }), declared(), settings());
		expect(a.plafond).toMatchObject({ assiette: 'total', montant: 6000, applique: true });
		expect(a.total).toBe(6000);
	});

	it('relevés manquants après mise en demeure : 100 € par jour depuis l’échéance de la mise en demeure', () => {
		const c = clause();
		const f = fields({ dateMiseEnDemeure: '2026-07-20' });
		const a = assessPenalties(c, f, declared(['2026-05', '2026-06']), settings({ dateCalcul: '2026-08-10' }));
		expect(a.relevesManquants.map((m) => m.mois)).toEqual(['2026-05', '2026-06']);
		expect(a.heures.realisees).toBe(200);
		const releves = a.lignes.find((l) => l.code === 'releves')!;
		// Échéance : 20 juillet + 15 jours = 4 août ; retard du 5 au 10 août : 6 jours.
		expect(releves).toMatchObject({ quantite: 6, montant: 600 });
		expect(a.total).toBe(255 * 60 + 600);
		expect(decideStep(c, f, a)).toMatchObject({ etape: 'notification', dateMiseEnDemeure: '2026-07-20', echeanceMiseEnDemeure: '2026-08-04', cleEnvoi: 'penalite|notification|2026trx014/20|fin' });
	});

	it('sans mise en demeure requise, le retard des relevés court dès la fin du mois manquant, plus le délai de grâce', () => {
		const a = assessPenalties(clause(), fields({ miseEnDemeureRequise: 'non', delaiGraceJours: 10 }), declared(['2026-06']), settings({ dateCalcul: '2026-07-20' }));
		// Fin juin + 10 jours = 10 juillet ; 10 jours de retard au 20 juillet.
		expect(a.lignes.find((l) => l.code === 'releves')).toMatchObject({ quantite: 10, montant: 1000 });
	});

	it('bilan de fin d’exécution non remis : 300 € par jour après la date limite', () => {
		const a = assessPenalties(clause(), fields({ bilanRemis: 'non' }), declared(), settings({ dateCalcul: '2026-08-10' }));
		// Fin d'exécution 30 juin + 30 jours = 30 juillet ; 11 jours au 10 août.
		expect(a.bilan).toEqual({ dateLimite: '2026-07-30', dateRemise: undefined, statut: 'nonRemis' });
		expect(a.lignes.find((l) => l.code === 'bilan')).toMatchObject({ quantite: 11, montant: 3300 });
		const received = assessPenalties(clause(), fields({ dateRemiseBilan: '2026-08-02' }), declared(), settings({ dateCalcul: '2026-08-10' }));
		expect(received.lignes.find((l) => l.code === 'bilan')).toMatchObject({ quantite: 3, montant: 900 });
	});

	it('jalon : heures attendues au prorata des jours à la date du jalon', () => {
		const c = clause({ debutExecution: '2026-01-01', finExecution: '2026-12-31', heuresDues: 365 });
		const a = assessPenalties(c, fields(), declared([], 10), settings({ echeance: 'jalon', dateJalon: '2026-06-30', dateCalcul: '2026-07-20' }));
		// Au 30 juin 2026 : 181 jours sur 365 → 181 h attendues ; 60 h déclarées.
		expect(a.periode).toBe('jalon-2026-06-30');
		expect(a.heures).toMatchObject({ dues: 181, realisees: 60, manquantes: 121 });
		expect(a.bilan).toBeNull();
		expect(decideStep(c, fields(), a)).toMatchObject({ etape: 'miseEnDemeure', cleEnvoi: 'penalite|miseEnDemeure|2026trx014/20|jalon-2026-06-30' });
	});
});

describe('limites du CCAG 2021 (pénalités de retard), étendues ou non par le CCAP', () => {
	it('désactivées par défaut : un total de 600 € reste dû, avec un avertissement qui renvoie au CCAP', () => {
		const a = assessPenalties(clause({ heuresDues: 310 }), fields(), declared(), settings());
		expect(a.total).toBe(600);
		expect(a.limitesCcag).toMatchObject({ exoneration: { active: false, appliquee: false }, totalAvant: 600, totalAvecLimites: 0 });
		const w = a.avertissements.find((x) => x.regle === 'penalite.limitesCcag');
		expect(w?.message).toBe(`les limites du CCAG 2021 (exonération des pénalités dont le total sur l’ensemble du marché ne dépasse pas 1${NBSP}000,00${NBSP}€ HT, CCAG-FCS 2021, art. 14.1 ; CCAG-Travaux 2021, art. 19.2) ramèneraient le total de 600,00${NBSP}€ à 0,00${NBSP}€`);
		expect(w?.correction).toContain('vérifiez si le CCAP du marché les étend aux pénalités de la clause sociale');
	});

	it('exonération activée : total de 600 € exonéré, dit dans le tableau et le fondement ; après la mise en demeure, rien n’est notifié', () => {
		const f = fields({ 'Date de mise en demeure': '2026-07-01' });
		const a = assessPenalties(clause({ heuresDues: 310 }), f, declared(), settings({ exonerationCcag: true }));
		expect(a.total).toBe(0);
		expect(a.limitesCcag.exoneration).toMatchObject({ active: true, appliquee: true, seuil: 1000 });
		expect(a.avertissements.find((x) => x.regle === 'penalite.limitesCcag')?.message).toContain('limites du CCAG 2021 appliquées');
		const step = decideStep(clause({ heuresDues: 310 }), f, a);
		expect(step).toMatchObject({ etape: 'regularisee', cleEnvoi: null });
		expect(step.motif).toContain('pénalités exonérées');
		// Avec les pénalités déjà appliquées, le total sur l’ensemble du marché dépasse 1 000 € : plus d’exonération.
		const b = assessPenalties(clause({ heuresDues: 310 }), fields({ 'Pénalités déjà appliquées': '500' }), declared(), settings({ exonerationCcag: true }));
		expect(b.total).toBe(600);
		const mise = assessPenalties(clause({ heuresDues: 310 }), fields(), declared(), settings({ exonerationCcag: true }));
		const text = letterText(buildLetter(clause({ heuresDues: 310 }), mise, { ...decideStep(clause({ heuresDues: 310 }), fields(), mise), etape: 'miseEnDemeure' }, { emetteur: 'Région', signature: 'Le directeur', delaiObservationsJours: 15 }));
		expect(text).toContain('Exonération du CCAG 2021 étendue par le CCAP');
		expect(text).toContain('Total HT, après exonération | 0,00');
		expect(text).toContain('qui leur étend les limites du CCAG 2021 (CCAG-FCS 2021, art. 14.1 ; CCAG-Travaux 2021, art. 19.2)');
	});

	it('plafond de 10 % du montant du marché activé par la colonne du registre, en plus du plafond du CCAP', () => {
		const small = clause({ montantHT: 20000 });
		const off = assessPenalties(small, fields(), declared(), settings());
		expect(off.total).toBe(4000);
		expect(off.avertissements.map((w) => w.regle)).toContain('penalite.limitesCcag');
		const on = assessPenalties(small, fields({ 'Plafond CCAG': 'oui' }), declared(), settings());
		expect(on.total).toBe(2000);
		expect(on.limitesCcag.plafond).toMatchObject({ active: true, applique: true, montant: 2000, pourcentage: 10 });
	});
});

describe('étapes de la procédure', () => {
	it('pas de mise en demeure au registre : mise en demeure, délai de 15 jours', () => {
		const c = clause();
		const a = assessPenalties(c, fields(), declared(), settings());
		expect(decideStep(c, fields(), a)).toEqual({
			etape: 'miseEnDemeure',
			etapeLibelle: 'Mise en demeure',
			motif: 'Manquement constaté, aucune mise en demeure au registre : mise en demeure préalable aux pénalités.',
			echeanceMiseEnDemeure: '2026-08-04',
			cleEnvoi: 'penalite|miseEnDemeure|2026trx014/20|fin',
		});
	});

	it('délai de la mise en demeure en cours : rien à envoyer ; expiré : notification', () => {
		const c = clause();
		const f = fields({ dateMiseEnDemeure: '2026-07-20' });
		const during = assessPenalties(c, f, declared(), settings({ dateCalcul: '2026-08-04' }));
		expect(decideStep(c, f, during)).toMatchObject({ etape: 'attente', cleEnvoi: null, echeanceMiseEnDemeure: '2026-08-04' });
		const after = assessPenalties(c, f, declared(), settings({ dateCalcul: '2026-08-05' }));
		expect(decideStep(c, f, after)).toMatchObject({ etape: 'notification' });
	});

	it('régularisée : après la mise en demeure, les relevés et les heures sont arrivés', () => {
		const c = clause({ heuresDues: 300 });
		const f = fields({ dateMiseEnDemeure: '2026-07-20' });
		const a = assessPenalties(c, f, declared(), settings({ dateCalcul: '2026-08-10' }));
		expect(decideStep(c, f, a)).toMatchObject({ etape: 'regularisee', cleEnvoi: null });
	});

	it('notification déjà au registre : rien de plus ; échéance non atteinte, clause soldée ou suspendue : rien', () => {
		const f = fields({ dateMiseEnDemeure: '2026-07-01', dateNotificationPenalites: '2026-07-18' });
		expect(decideStep(clause(), f, assessPenalties(clause(), f, declared(), settings()))).toMatchObject({ etape: 'notifiee' });
		const running = clause({ finExecution: '2026-12-31' });
		expect(decideStep(running, fields(), assessPenalties(running, fields(), declared(), settings())).etape).toBe('aucune');
		for (const statut of ['soldée', 'suspendue']) {
			const c = clause({ statut });
			expect(decideStep(c, fields(), assessPenalties(c, fields(), declared(), settings())).etape).toBe('aucune');
		}
	});
});

describe('saisies incohérentes : une erreur française par clause', () => {
	it('notification sans mise en demeure', () => {
		const result = tryReadRecord(PENALTY_FIELDS_READER, { 'Date de notification des pénalités': '2026-07-18' }, 'clause du marché 2026-TRX-014, lot 20');
		expect(result.ok).toBe(false);
		if (!result.ok) {
			expect(result.error.message).toBe('Clause du marché 2026-TRX-014, lot 20, date de notification des pénalités : notification des pénalités sans mise en demeure préalable');
		}
	});

	it('valeurs négatives et neutralisation sans motif', () => {
		const result = tryReadRecord(PENALTY_FIELDS_READER, { tauxHoraire: '-60', heuresNeutralisees: 20 }, 'clause');
		expect(result.ok).toBe(false);
		if (!result.ok) {
			expect(result.error.anomalies.map((a) => [a.champ, a.message])).toEqual([
				['tauxHoraire', `valeur négative (-60${NBSP}€)`],
				['motifNeutralisation', '20 h neutralisées sans motif'],
			]);
		}
	});

	it('heures réalisées saisies au-delà des heures dues, neutralisation excessive, dates dans le futur', () => {
		const error = anomalyFrom(() =>
			assessPenalties(clause(), fields({ heuresRealisees: 4630, heuresNeutralisees: 500, motifNeutralisation: 'force majeure', dateMiseEnDemeure: '2026-09-01' }), declared(), settings()),
		);
		expect(error.anomalies.map((a) => a.regle)).toEqual(['penalite.neutralisationExcessive', 'penalite.realiseesSaisies', 'penalite.dateFuture']);
		expect(error.anomalies[1].message).toBe(`heures réalisées saisies (4${NBSP}630${NBSP}h) supérieures aux heures dues (455${NBSP}h)`);
		expect(error.message).toContain('Clause du marché 2026-TRX-014, lot 20, heures neutralisées');
	});

	it('montant annuel manquant pour une exécution de plus d’un an : plafond incalculable', () => {
		const c = clause({ finExecution: '2027-06-30' });
		const error = anomalyFrom(() => assessPenalties(c, fields(), declared(), settings({ dateCalcul: '2027-07-20' })));
		expect(error.message).toBe(
			'Clause du marché 2026-TRX-014, lot 20, montant annuel HT : montant annuel HT manquant pour une exécution de plus d’un an (546 jours) : le plafond des pénalités est incalculable',
		);
	});

	it('montant annuel manquant avant l’échéance : pas d’erreur, étape « aucune », avertissement pour le renseigner à temps', () => {
		const c = clause({ finExecution: '2027-06-30' });
		const a = assessPenalties(c, fields(), declared(), settings({ dateCalcul: '2026-12-03' }));
		expect(decideStep(c, fields(), a).etape).toBe('aucune');
		expect(a.avertissements.filter((w) => w.regle === 'penalite.plafondMontant').map((w) => w.message)).toEqual([
			'montant annuel HT non renseigné : le plafond des pénalités sera incalculable à l’échéance (fin d’exécution au 30 juin 2027)',
		]);
	});

	it('paramètre du CCAP manquant dans le nœud', () => {
		const error = anomalyFrom(() => settings({ tauxHoraire: '' }));
		expect(error.message).toBe('Paramètres du nœud, pénalité par heure non réalisée (€ HT) : valeur manquante');
	});
});

describe('lettre et courriel', () => {
	it('mise en demeure : destinataire, références, faits, délai, calcul, fondement, observations', () => {
		const c = clause();
		const a = assessPenalties(c, fields(), declared(['2026-06']), settings());
		const step = decideStep(c, fields(), a);
		expect(step.etape).toBe('miseEnDemeure');
		const letter = buildLetter(c, a, step as typeof step & { etape: 'miseEnDemeure' }, {
			emetteur: 'Région Val-d’Argent\nDirection de la commande publique',
			signature: 'Pour le président et par délégation,',
			signataire: { qualite: 'La directrice de la commande publique', nom: 'Claire Martin' },
			modeEnvoi: 'lrar',
			lieu: 'Saint-Aubin-sur-Argent',
			delaiObservationsJours: 15,
		});
		const text = letterText(letter);
		expect(letter.objet).toBe('Mise en demeure – clause sociale d’insertion – marché n° 2026-TRX-014, lot 20 (Électricité)');
		expect(letter.destinataire).toEqual(['Élec & Cie', 'À l’attention de Mme Durand', 'SIRET 73282932000074', 'contact@elec.example.test']);
		expect(text).toContain('Saint-Aubin-sur-Argent, le 20 juillet 2026');
		expect(text).toContain(`font état de 250${NBSP}h réalisées`);
		expect(text).toContain('Votre relevé mensuel des heures d’insertion de juin 2026 ne nous est pas parvenu.');
		expect(text).toContain('dans un délai de 15 jours à compter de la date de la présente, soit au plus tard le 4 août 2026');
		// « Au plus tard le 4 août » : le retard court du lendemain.
		expect(text).toContain(`S’y ajouterait une pénalité de 100,00${NBSP}€ HT par jour calendaire de retard dans la remise des relevés à compter du 5 août 2026.`);
		expect(text).toContain('Vous pouvez présenter vos observations et justificatifs à l’acheteur (Direction des lycées, lycees@region.example.test) au plus tard le 4 août 2026.');
		expect(text).toContain('transmettre le relevé mensuel manquant au PLIE du Val d’Argent (plie@example.test)');
		// Mode d'envoi en tête, signataire (délégation, qualité, nom) en bas.
		expect(letter.mentionEnvoi).toBe('Lettre recommandée avec accusé de réception');
		expect(letter.signature).toEqual(['Pour le président et par délégation,', 'La directrice de la commande publique', 'Claire Martin']);
		expect(text).toContain(`Heures d’insertion non réalisées | 205 h × 60,00${NBSP}€ | 12${NBSP}300,00${NBSP}€`);
		expect(text).toContain('article L2112-2 du code de la commande publique et de l’article 16.1 du CCAG 2021');
		const mail = renderNoticeMail(c, a, step, letter);
		expect(mail).toMatchObject({ to: ['contact@elec.example.test'], cc: ['lycees@region.example.test', 'plie@example.test'], subject: letter.objet });
		expect(mail.text).toContain('Délai de régularisation : jusqu’au 4 août 2026.');
		expect(mail.text).toContain('La lettre vous est adressée par lettre recommandée avec accusé de réception ; le présent courriel vous en transmet une copie.');
		expect(mail.text).toMatch(/Cordialement,\n\nPour le président et par délégation,\nLa directrice de la commande publique\nClaire Martin$/);
	});

	const OPTIONS = { emetteur: 'Région', signature: 'Service', delaiObservationsJours: 15 };
	const medLetter = (c: ClauseRecord, f: ReturnType<typeof fields>, a: ReturnType<typeof assessPenalties>) => {
		const step = decideStep(c, f, a);
		expect(step.etape).toBe('miseEnDemeure');
		const model = buildLetter(c, a, step as typeof step & { etape: 'miseEnDemeure' }, OPTIONS);
		return { step, model, text: letterText(model), section: (titre: string) => model.sections.find((x) => x.titre === titre)! };
	};

	it('heures réalisées du registre : « le suivi consolidé par le facilitateur fait état » (accord au singulier)', () => {
		const c = clause();
		const f = fields({ heuresRealisees: 250 });
		const { section } = medLetter(c, f, assessPenalties(c, f, declared(), settings()));
		expect(section('Les faits').paragraphes[1]).toBe(
			`À l’échéance évaluée (fin d’exécution au 30 juin 2026), 455${NBSP}h étaient dues et le suivi consolidé par le facilitateur fait état de 250${NBSP}h réalisées. 205${NBSP}h n’ont donc pas été réalisées.`,
		);
	});

	it('mise en demeure pour le seul retard du bilan (remis en retard) : faits, demande et pénalités en phrases complètes', () => {
		// 300 h dues, 300 h déclarées ; bilan attendu le 30 juillet, remis le 10 août : 11 jours × 300 €.
		const c = clause({ heuresDues: 300 });
		const f = fields({ dateRemiseBilan: '2026-08-10' });
		const a = assessPenalties(c, f, declared(), settings({ dateCalcul: '2026-08-20' }));
		expect(a.lignes.map((l) => [l.code, l.montant])).toEqual([['bilan', 3300]]);
		const { text, section } = medLetter(c, f, a);
		expect(section('Les faits').paragraphes.slice(1)).toEqual([
			`À l’échéance évaluée (fin d’exécution au 30 juin 2026), 300${NBSP}h étaient dues et vos relevés mensuels font état de 300${NBSP}h réalisées.`,
			'Le bilan de fin d’exécution de la clause, attendu au plus tard le 30 juillet 2026, ne nous est parvenu que le 10 août 2026.',
		]);
		expect(section('Mise en demeure').paragraphes).toEqual([
			'En conséquence, nous vous mettons en demeure, dans un délai de 15 jours à compter de la date de la présente, soit au plus tard le 4 septembre 2026, de : justifier la remise tardive du bilan de fin d’exécution.',
		]);
		expect(section('Pénalités encourues').paragraphes).toEqual(['À défaut, les pénalités suivantes, calculées à la date de la présente, vous seront appliquées. Le détail du calcul figure dans l’annexe jointe.']);
		expect(text).toContain(`Retard dans la remise du bilan de fin d’exécution | 11 jours × 300,00${NBSP}€ | 3${NBSP}300,00${NBSP}€`);
		expect(text).not.toContain('de : .');
	});

	it('notification pour des relevés reçus après l’échéance de la mise en demeure : le fait est dit', () => {
		// Mise en demeure du 1er juillet (échéance 16 juillet), relevés reçus le 19 juillet : 3 jours × 100 €.
		const c = clause({ heuresDues: 300 });
		const f = fields({ dateMiseEnDemeure: '2026-07-01', dateReceptionReleves: '2026-07-19', bilanRemis: 'oui' });
		const a = assessPenalties(c, f, declared(), settings({ dateCalcul: '2026-07-20' }));
		expect(a.lignes.map((l) => [l.code, l.quantite, l.montant])).toEqual([['releves', 3, 300]]);
		const step = decideStep(c, f, a);
		expect(step.etape).toBe('notification');
		const model = buildLetter(c, a, step as typeof step & { etape: 'notification' }, OPTIONS);
		expect(model.sections[0].paragraphes.slice(1)).toEqual([
			`À l’échéance évaluée (fin d’exécution au 30 juin 2026), 300${NBSP}h étaient dues et vos relevés mensuels font état de 300${NBSP}h réalisées.`,
			'Vos relevés mensuels des heures d’insertion ne nous sont parvenus que le 19 juillet 2026, après le délai imparti.',
		]);
	});

	it('mise en demeure sans aucune pénalité encore due (relevé manquant, pénalité après la mise en demeure) : pas de tableau vide', () => {
		// 250 h dues, 250 h déclarées (juin manquant) : aucune heure manquante ; le retard du relevé ne court qu'après la mise en demeure.
		const c = clause({ heuresDues: 250 });
		const a = assessPenalties(c, fields(), declared(['2026-06']), settings());
		expect(a.lignes).toEqual([]);
		const { step, model, text, section } = medLetter(c, fields(), a);
		expect(section('Pénalités encourues')).toEqual({
			titre: 'Pénalités encourues',
			paragraphes: [
				`Aucune pénalité n’est due à la date de la présente. À défaut de régularisation dans ce délai, une pénalité de 100,00${NBSP}€ HT par jour calendaire de retard dans la remise des relevés vous sera appliquée à compter du 5 août 2026. Le détail du calcul figure dans l’annexe jointe.`,
			],
		});
		expect(text).not.toContain('les pénalités suivantes');
		expect(section('Mise en demeure').paragraphes[0]).toBe(
			'En conséquence, nous vous mettons en demeure, dans un délai de 15 jours à compter de la date de la présente, soit au plus tard le 4 août 2026, de : transmettre le relevé mensuel manquant au PLIE du Val d’Argent (plie@example.test).',
		);
		expect(section('Fondement').paragraphes[0]).toMatch(new RegExp(`Elles sont cumulables et plafonnées à 20${NBSP}% du montant annuel HT \\(600${NBSP}000,00${NBSP}€\\)\\.$`));
		expect(renderNoticeMail(c, a, step, model).text).toContain('Aucune pénalité n’est due à ce jour. Délai de régularisation : jusqu’au 4 août 2026.');
	});

	it('assiette du plafond inconnue (montant manquant, aucune pénalité) : le fondement ne cite pas de montant de 0 €', () => {
		const c = clause({ heuresDues: 250, montantHT: '' });
		const f = fields({ 'Assiette du plafond': 'montant total' });
		const a = assessPenalties(c, f, declared(['2026-06']), settings());
		expect(a.plafond).toMatchObject({ assietteConnue: false, montantAssiette: 0 });
		const { text, section } = medLetter(c, f, a);
		expect(section('Fondement').paragraphes[0]).toBe(
			`Les pénalités sont prévues par les stipulations du CCAP relatives à la clause sociale d’insertion, dans le cadre de la clause sociale d’insertion, condition d’exécution du marché au sens de l’article L2112-2 du code de la commande publique et de l’article 16.1 du CCAG 2021. Elles sont cumulables et plafonnées à 20${NBSP}% du montant total HT du marché.`,
		);
		expect(text).not.toContain(`(0,00${NBSP}€)`);
	});

	it('échappe le HTML du courriel', () => {
		const c = clause({ intitule: '<b>Électricité</b>' });
		const a = assessPenalties(c, fields(), declared(), settings());
		const step = decideStep(c, fields(), a);
		const letter = buildLetter(c, a, step as typeof step & { etape: 'miseEnDemeure' }, { emetteur: 'Région', signature: 'Service', delaiObservationsJours: 15 });
		const mail = renderNoticeMail(c, a, step, letter);
		expect(mail.html).toContain('&lt;b&gt;Électricité&lt;/b&gt;');
		expect(mail.html).not.toContain('<b>');
	});
});

describe('historique des avis (feuille « Pénalités »)', () => {
	const row = (raw: Record<string, unknown>) => readRecord(PENALTY_HISTORY_READER, raw, 'historique');

	it('lit les intitulés usuels et la période (fin d’exécution par défaut, ou la date du jalon)', () => {
		expect(row({ Marché: '2025-TRX-039', Lot: 6, Étape: 'Mise en demeure', 'Montant HT': '9 000,00 €', Date: '01/10/2026' })).toEqual({
			marche: '2025-TRX-039',
			lot: '6',
			etape: 'miseEnDemeure',
			montantHT: 9000,
			date: '2026-10-01',
			periode: 'fin',
		});
		expect(row({ marche: 'M', lot: '1', etape: 'pénalités notifiées', date: '2026-07-10', periode: '30/06/2026' })).toMatchObject({ etape: 'notification', periode: 'jalon-2026-06-30' });
	});

	it('complète les dates de procédure absentes du registre, pour la même période ; le registre l’emporte', () => {
		const history = [
			row({ marche: 'M', lot: '1', etape: 'Mise en demeure', date: '2026-06-15' }),
			row({ marche: 'M', lot: '1', etape: 'Mise en demeure', date: '2026-09-01' }),
			row({ marche: 'M', lot: '1', etape: 'Notification', date: '2026-03-01', periode: '2026-02-28' }),
		];
		expect(withHistory(fields(), history, 'fin')).toMatchObject({ dateMiseEnDemeure: '2026-09-01', dateNotificationPenalites: undefined });
		expect(withHistory(fields({ dateMiseEnDemeure: '2026-07-01' }), history, 'fin').dateMiseEnDemeure).toBe('2026-07-01');
		expect(withHistory(fields(), history, 'jalon-2026-02-28')).toMatchObject({ dateMiseEnDemeure: undefined, dateNotificationPenalites: '2026-03-01' });
		// Pénalités notifiées pour un jalon précédent : déduites du plafond de la fin d'exécution.
		expect(withHistory(fields(), [...history, row({ marche: 'M', lot: '1', etape: 'Notification', date: '2026-03-01', periode: '2026-02-28', montantHT: '1 250,50' })], 'fin').penalitesDejaAppliquees).toBe(1250.5);
		expect(withHistory(fields({ penalitesDejaAppliquees: 10 }), history, 'fin').penalitesDejaAppliquees).toBe(10);
		// Une notification sans mise en demeure, venue de l'historique, est refusée au calcul.
		const f = withHistory(fields(), history, 'jalon-2026-02-28');
		expect(anomalyFrom(() => assessPenalties(clause(), f, declared(), settings())).anomalies.map((a) => a.regle)).toContain('penalite.procedure');
	});
});

describe('propriétés du calcul (fast-check)', () => {
	const RUNS = { numRuns: 300 };
	const centsOf = (value: number) => Math.round(value * 100);
	const input = fc.record({
		dues: fc.integer({ min: 1, max: 500_000 }).map((v) => v / 100),
		realisees: fc.integer({ min: 0, max: 600_000 }).map((v) => v / 100),
		neutralisees: fc.integer({ min: 0, max: 100 }),
		taux: fc.integer({ min: 0, max: 50_000 }).map((v) => v / 100),
		montant: fc.integer({ min: 100_000, max: 2_000_000_000 }).map((v) => v / 100),
		plafond: fc.integer({ min: 0, max: 10_000 }).map((v) => v / 100),
		deja: fc.integer({ min: 0, max: 10_000_000 }).map((v) => v / 100),
	});

	it('montants au centime, total plafonné, jamais négatif, aucune pénalité sans heure manquante', () => {
		fc.assert(
			fc.property(input, (v) => {
				const neutral = Math.min(v.neutralisees, v.dues);
				const c = clause({ heuresDues: v.dues, montantAnnuelHT: v.montant });
				const f = fields({ heuresRealisees: Math.min(v.realisees, v.dues), tauxHoraire: v.taux, plafondPourcentage: v.plafond, penalitesDejaAppliquees: v.deja, ...(neutral > 0 ? { heuresNeutralisees: neutral, motifNeutralisation: 'force majeure' } : {}) });
				const a = assessPenalties(c, f, new Map(), settings());
				for (const line of a.lignes) {
					expect(line.montant).toBeGreaterThanOrEqual(0);
					expect(centsOf(line.montant) / 100).toBe(line.montant);
					expect(Math.abs(line.montant - line.quantite * line.taux)).toBeLessThanOrEqual(0.005 + 1e-9);
				}
				expect(a.total).toBeGreaterThanOrEqual(0);
				expect(a.total).toBeLessThanOrEqual(a.sommeLignes);
				expect(a.total).toBeLessThanOrEqual(a.plafond.disponible);
				expect(centsOf(a.sommeLignes)).toBe(a.lignes.reduce((s, l) => s + centsOf(l.montant), 0));
				expect(a.total).toBe(Math.min(a.sommeLignes, a.plafond.disponible));
				const shortfall = Math.max(0, v.dues - neutral - Math.min(v.realisees, v.dues));
				expect(a.heures.manquantes).toBeCloseTo(shortfall, 2);
				if (a.heures.manquantes === 0) expect(a.lignes).toEqual([]);
			}),
			RUNS,
		);
	});

	it('jamais de notification sans mise en demeure antérieure dont le délai est expiré à la date de l’avis', () => {
		const seen = new Map<string, number>();
		const scenario = fc.record({
			duree: fc.integer({ min: 30, max: 400 }),
			avis: fc.integer({ min: -10, max: 200 }),
			dues: fc.integer({ min: 1, max: 1000 }),
			realisees: fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }),
			moisDeclares: fc.array(fc.integer({ min: 0, max: 100 }), { maxLength: 14 }),
			med: fc.option(fc.integer({ min: 0, max: 600 }), { nil: undefined }),
			notifApres: fc.oneof({ arbitrary: fc.constant(undefined), weight: 4 }, { arbitrary: fc.integer({ min: 1, max: 60 }), weight: 1 }),
			delai: fc.integer({ min: 1, max: 60 }),
			statut: fc.oneof({ arbitrary: fc.constant('terminée'), weight: 5 }, { arbitrary: fc.constantFrom('en cours', 'soldée', 'suspendue'), weight: 1 }),
			bilan: fc.constantFrom('oui', 'non', ''),
			requise: fc.boolean(),
		});
		fc.assert(
			fc.property(scenario, (v) => {
				const fin = addDays('2026-01-01', v.duree);
				const dateCalcul = addDays(fin, v.avis);
				// Mise en demeure entre le début d'exécution et la date de l'avis (sinon la saisie est refusée).
				const med = v.med === undefined ? undefined : addDays('2026-01-01', v.med % (daysBetween('2026-01-01', dateCalcul) + 1));
				const notif = med && v.notifApres !== undefined && addDays(med, v.notifApres) <= dateCalcul ? addDays(med, v.notifApres) : undefined;
				const c = clause({ finExecution: fin, heuresDues: v.dues, statut: v.statut, montantAnnuelHT: 500000 });
				const f = fields({
					heuresRealisees: v.realisees === undefined ? undefined : Math.min(v.realisees, v.dues),
					dateMiseEnDemeure: med,
					dateNotificationPenalites: notif,
					delaiMiseEnDemeureJours: v.delai,
					bilanRemis: v.bilan,
					miseEnDemeureRequise: v.requise ? 'oui' : 'non',
				});
				const months = new Map(v.moisDeclares.map((h, i) => [addMonths('2026-01', i), h] as const).filter(([m]) => m <= fin.slice(0, 7)));
				const a = assessPenalties(c, f, months, settings({ dateCalcul }));
				const step = decideStep(c, f, a);
				seen.set(step.etape, (seen.get(step.etape) ?? 0) + 1);
				if (step.etape === 'notification') {
					expect(f.dateMiseEnDemeure).toBeDefined();
					expect(f.dateNotificationPenalites).toBeUndefined();
					const deadline = addDays(f.dateMiseEnDemeure!, v.delai);
					expect(deadline < dateCalcul).toBe(true);
					expect(step).toMatchObject({ dateMiseEnDemeure: f.dateMiseEnDemeure, echeanceMiseEnDemeure: deadline, cleEnvoi: `penalite|notification|2026trx014/20|${a.periode}` });
				}
				// Une mise en demeure n'est proposée que si aucune n'est connue.
				if (step.etape === 'miseEnDemeure') expect(f.dateMiseEnDemeure).toBeUndefined();
			}),
			{ numRuns: 1000 },
		);
		// Le générateur atteint bien les étapes en jeu (sinon la propriété ne prouverait rien).
		for (const etape of ['notification', 'miseEnDemeure', 'attente', 'notifiee']) expect(seen.get(etape) ?? 0).toBeGreaterThanOrEqual(10);
	});

	it('plus d’heures réalisées ne donne jamais plus de pénalité', () => {
		fc.assert(
			fc.property(input, fc.integer({ min: 0, max: 100_000 }).map((v) => v / 100), (v, extra) => {
				const c = clause({ heuresDues: v.dues, montantAnnuelHT: v.montant });
				const base = Math.min(v.realisees, v.dues);
				const more = Math.min(base + extra, v.dues);
				const at = (realisees: number) => assessPenalties(c, fields({ heuresRealisees: realisees, tauxHoraire: v.taux, plafondPourcentage: v.plafond }), new Map(), settings()).total;
				expect(at(more)).toBeLessThanOrEqual(at(base));
			}),
			RUNS,
		);
	});
});

describe('courriel d’approbation', () => {
	it('l’objet sépare les montants notifiés des montants encourus (mises en demeure)', () => {
		expect(approvalSubject([{ etape: 'notification', total: 1200 }, { etape: 'miseEnDemeure', total: 7800 }, { etape: 'miseEnDemeure', total: 300.5 }])).toBe(
			`Approbation requise – clause sociale d’insertion – 1 notification de pénalités : 1${NBSP}200,00${NBSP}€ HT notifiés ; 2 mises en demeure : 8${NBSP}100,50${NBSP}€ HT encourus`,
		);
		expect(approvalSubject([{ etape: 'miseEnDemeure', total: 0 }])).toBe(`Approbation requise – clause sociale d’insertion – 1 mise en demeure : 0,00${NBSP}€ HT encourus`);
	});
});
