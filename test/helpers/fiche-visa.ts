/** Fiches visa de test : une fiche complète et cohérente, et de quoi l'écrire dans le formulaire Excel. */
import type { FicheVisaPrefill } from '../../nodes/adapters';
import { buildPrefilledFicheVisa } from '../../nodes/adapters';

/** Une fiche complète et cohérente : le lycée 2026-TRX-014 (volumes du lycée du Limousin). */
export function validFiche(): Record<string, unknown> {
	return {
		reference: '2026-TRX-014',
		objet: 'Construction du lycée des métiers du bâtiment de Saint-Aubin-sur-Argent',
		servicePrescripteur: 'Direction des lycées',
		emailService: 'lycees@region-val-argent.example.test',
		acheteur: 'Claire Martin, service des marchés',
		cpv: '45214220',
		nature: 'Travaux',
		ccag: 'CCAG-Travaux 2021',
		montantEstimeHT: 962000,
		methodeEstimation: 'Estimation du maître d’œuvre',
		dureeMois: 20,
		procedure: 'MAPA',
		dateFiche: '2026-11-02',
		dateLancement: '2026-12-01',
		dateNotification: '2027-03-15',
		alloti: 'oui',
		sourcing: 'oui',
		sourcingDescription: 'Rencontre des entreprises du bâtiment et de deux SIAE du bâtiment',
		etudeFaisabilite: 'oui',
		dateEtude: '2026-10-15',
		facilitateur: 'PLIE du Val d’Argent',
		contactFacilitateur: 'clauses@plie-val-argent.example.test',
		ccapPerimetre: 'oui',
		ccapContactFacilitateur: 'oui',
		ccapPublics: 'oui',
		ccapVolume: 'oui',
		penalitesCcap: 'oui',
		penaliteParHeure: 60,
		considerationsDecp: 'Clause sociale',
		environnement: 'oui',
		environnementDescription: 'Tri des déchets de chantier, matériaux biosourcés',
		redacteur: 'Claire Martin',
		lots: [
			{ numero: '1', intitule: 'Démolition – gros œuvre', montantHT: 504000, mecanisme: 'Clause d’insertion en heures (L2112-2)', heures: 420 },
			{ numero: '2', intitule: 'Menuiseries extérieures aluminium', montantHT: 420000, mecanisme: 'clause sociale', heures: 280 },
			{ numero: '8', intitule: 'Signalétique', montantHT: 38000, mecanisme: 'Aucune considération sociale', justificationAbsence: 'Volume estimé sous le plancher de 70 h du territoire' },
		],
	};
}

/** Sortie du nœud « Étude de faisabilité » pour un lot. */
export function studied(lot: string, heures: number, decision: 'clause' | 'pasDeClause' = 'clause') {
	return {
		marche: '2026-TRX-014',
		lot,
		faisabilite: {
			decision,
			mecanismes: decision === 'clause' ? [{ code: 'clauseExecution', option: false }] : [],
			heuresRetenues: heures,
			facilitateur: { nom: 'PLIE du Val d’Argent' },
			dateEtude: '2026-10-15',
		},
	};
}


/** La fiche au format du pré-remplissage du formulaire (champs et lots). */
export function asPrefill(json: Record<string, unknown>): FicheVisaPrefill {
	const { lots, ...champs } = json;
	return { champs: champs as FicheVisaPrefill['champs'], lots: lots as FicheVisaPrefill['lots'], date: '2026-11-02' };
}

/** Le formulaire Excel rempli avec cette fiche. */
export function filledWorkbook(json: Record<string, unknown> = validFiche()): Promise<Buffer> {
	return buildPrefilledFicheVisa(asPrefill(json));
}
