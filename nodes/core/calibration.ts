/**
 * Calibrage : le nombre d'heures d'insertion à inscrire au contrat, par lot.
 * Fonctions pures ; chaque paramètre utilisé est restitué avec son origine
 * (lot, paramètre du nœud, référentiel) et sa source.
 *
 * Méthodes (formules en usage chez les facilitateurs et dans les guides cités par
 * le référentiel) :
 * - standard : heures = montant HT × taux de main-d'œuvre × taux d'insertion ÷ coût horaire ;
 * - partHeuresMarche : heures = heures du marché × part (prestations intellectuelles) ;
 * - volumeAnnuel : heures = volume annuel × durée (années) (DSP, marché de partenariat) ;
 * - parEuroFacture : heures = montant facturé ÷ euros par heure (maîtrise d'œuvre) ;
 * - proprete (Inserpropre) : P = 1 − (S × C) ÷ (A ÷ N), heures = P × A ÷ C × T.
 *
 * Arrondi : au pas choisi (1 h par défaut), au plus proche (demi vers le haut),
 * à l'inférieur ou au supérieur ; le plancher s'applique aux heures arrondies :
 * en deçà, aucune heure n'est retenue (clause en heures non pertinente). Un lot
 * de propreté (secteur ou code CPV) a le plancher de la propreté (150 h) quelle
 * que soit sa formule ; un plancher porté par le lot l'emporte toujours.
 */
import { z } from 'zod/v4';

import type { Anomaly } from './anomalies';
import { AnomalyError, parseJsonParameter } from './anomalies';
import { parseSettings } from './records';
import { formatEuros, formatHours, formatNumber, formatPercent, quote } from './format';
import { roundTo } from './numbers';
import type { Sector } from './referential';
import { DEFAULTS } from './referential';
import type { CalibrationMethod, Lot } from './schemas/lot';
import { CALIBRATION_METHODS } from './schemas/lot';
import { decimal, percent, tolerantEnum } from './schemas/primitives';
import { SectorIndex } from './sectors';

export const ROUNDING_MODES = {
	plusProche: { libelle: 'Au plus proche' },
	inferieur: { libelle: 'À l\u2019inférieur' },
	superieur: { libelle: 'Au supérieur' },
} as const;
export type RoundingMode = keyof typeof ROUNDING_MODES;

const SectorOverrideSchema = z.object({
	libelle: z.string().optional(),
	tauxMainOeuvre: percent(),
	source: z.string().optional(),
	cpv: z.array(z.string()).optional(),
	synonymes: z.array(z.string()).optional(),
});

/** Paramètres d'une exécution : chacun remplace la valeur du référentiel. */
export const CalibrationSettingsSchema = z.object({
	methode: z.union([z.literal('auto'), tolerantEnum(CALIBRATION_METHODS, 'une méthode de calibrage')]).default('auto'),
	coutHoraire: decimal({ min: 0, exclusiveMin: true, unit: '€/h' }).default(DEFAULTS.coutHoraire.valeur),
	tauxInsertion: percent().default(DEFAULTS.tauxInsertion.valeur),
	tauxMainOeuvre: percent().optional(),
	plancherHeures: decimal({ min: 0, unit: 'h' }).default(DEFAULTS.plancherHeures.valeur),
	plancherProprete: decimal({ min: 0, unit: 'h' }).default(DEFAULTS.plancherProprete.valeur),
	coutHoraireProprete: decimal({ min: 0, exclusiveMin: true, unit: '€/h' }).default(DEFAULTS.coutHoraireProprete.valeur),
	partHeuresMarche: percent().default(DEFAULTS.partHeuresMarche.valeur),
	coutHorairePrestationIntellectuelle: decimal({ min: 0, exclusiveMin: true, unit: '€/h' }).default(
		DEFAULTS.coutHorairePrestationIntellectuelle.valeur,
	),
	eurosParHeure: decimal({ min: 0, exclusiveMin: true, unit: '€/h' }).default(DEFAULTS.eurosParHeure.valeur),
	volumeAnnuel: decimal({ min: 0, unit: 'h/an' }).default(DEFAULTS.volumeAnnuel.valeur),
	heuresEtp: decimal({ min: 0, exclusiveMin: true, unit: 'h' }).default(DEFAULTS.heuresEtp.valeur),
	heuresMoisTempsPlein: decimal({ min: 0, exclusiveMin: true, unit: 'h' }).default(DEFAULTS.heuresMoisTempsPlein.valeur),
	arrondi: tolerantEnum(ROUNDING_MODES, 'un mode d\u2019arrondi').default('plusProche'),
	pasArrondi: decimal({ min: 0, exclusiveMin: true, unit: 'h' }).default(1),
	secteurs: z.record(z.string(), SectorOverrideSchema).default({}),
});

export type CalibrationSettingsInput = z.input<typeof CalibrationSettingsSchema>;
export type CalibrationSettings = z.output<typeof CalibrationSettingsSchema>;

export const CALIBRATION_SETTINGS_LABELS = {
	methode: 'méthode de calibrage',
	coutHoraire: 'coût horaire (€/h)',
	tauxInsertion: 'taux d\u2019insertion (%)',
	tauxMainOeuvre: 'taux de main-d\u2019œuvre (%)',
	plancherHeures: 'plancher d\u2019heures',
	plancherProprete: 'plancher d\u2019heures (propreté)',
	coutHoraireProprete: 'coût horaire propreté (€/h)',
	partHeuresMarche: 'part des heures du marché (%)',
	coutHorairePrestationIntellectuelle: 'chiffre d\u2019affaires par heure (prestations intellectuelles)',
	eurosParHeure: 'euros facturés par heure',
	volumeAnnuel: 'volume annuel (h/an)',
	heuresEtp: 'heures par ETP',
	heuresMoisTempsPlein: 'heures par mois à temps plein',
	arrondi: 'arrondi',
	pasArrondi: 'arrondi au multiple de (h)',
	secteurs: 'référentiel des secteurs',
	tauxMainOeuvreSecteur: 'taux de main-d\u2019œuvre (%)',
};

export type Origin = 'lot' | 'paramètre du nœud' | 'référentiel' | 'calcul';

export interface UsedParameter {
	libelle: string;
	valeur: number;
	unite: string;
	origine: Origin;
	source?: string;
}

export interface CalibrationResult {
	methode: CalibrationMethod;
	methodeLibelle: string;
	/** Heures retenues pour le contrat (0 sous le plancher). */
	heures: number;
	/** Heures issues de la formule, avant arrondi. */
	heuresCalculees: number;
	/** Heures arrondies, avant application du plancher. */
	heuresArrondies: number;
	plancher: number;
	sousPlancher: boolean;
	formule: string;
	parametres: Record<string, UsedParameter>;
	/** ETP sur toute l'exécution et, si la durée est connue, par année d'exécution (heures ÷ années ÷ heures d'un ETP). */
	equivalents: { etp: number; etpParAn?: number; moisTempsPlein: number };
	avertissements: Anomaly[];
}

/** Valide les paramètres d'une exécution ; lève une AnomalyError qui nomme le paramètre fautif. */
export function parseCalibrationSettings(input: Record<string, unknown>): CalibrationSettings {
	const secteurs = parseJsonParameter(
		input.secteurs,
		'secteurs',
		CALIBRATION_SETTINGS_LABELS.secteurs,
		'{"electricite": {"libelle": "Électricité", "tauxMainOeuvre": 45}}',
	);
	return parseSettings(CalibrationSettingsSchema, { ...input, secteurs: secteurs ?? {} }, CALIBRATION_SETTINGS_LABELS);
}

/** Prépare une exécution : paramètres validés et référentiel des secteurs fusionné. */
export class Calibrator {
	readonly sectors: SectorIndex;

	constructor(readonly settings: CalibrationSettings) {
		this.sectors = SectorIndex.withOverrides(settings.secteurs);
	}

	calibrate(lot: Lot, where: string): CalibrationResult {
		return calibrateLot(lot, this.settings, this.sectors, where);
	}
}

function settingParameter(key: keyof typeof DEFAULTS, value: number): UsedParameter {
	const reference = DEFAULTS[key];
	const isDefault = Math.abs(reference.valeur - value) < 1e-9;
	return {
		libelle: reference.libelle,
		valeur: value,
		unite: reference.unite,
		origine: isDefault ? 'référentiel' : 'paramètre du nœud',
		source: isDefault ? reference.source : undefined,
	};
}

function lotParameter(libelle: string, value: number, unite: string): UsedParameter {
	return { libelle, valeur: value, unite, origine: 'lot' };
}

/** Valeur du lot si elle existe, sinon celle de l'exécution (elle-même issue du référentiel par défaut). */
function pick(
	lotValue: number | undefined,
	key: keyof typeof DEFAULTS,
	settingValue: number,
): UsedParameter {
	if (lotValue !== undefined) {
		const reference = DEFAULTS[key];
		return lotParameter(reference.libelle, lotValue, reference.unite);
	}
	return settingParameter(key, settingValue);
}

export function chooseMethod(lot: Lot, settings: CalibrationSettings): CalibrationMethod {
	if (lot.methode) return lot.methode;
	if (settings.methode !== 'auto') return settings.methode;
	if (lot.repriseDuPersonnel && lot.heuresMensuellesTransferees !== undefined) return 'proprete';
	if ((lot.nature === 'dsp' || lot.nature === 'ppp') && lot.volumeAnnuel !== undefined) return 'volumeAnnuel';
	if (lot.montantFacture !== undefined || lot.eurosParHeure !== undefined) return 'parEuroFacture';
	if (lot.nature === 'prestationsIntellectuelles' && (lot.heuresMarche !== undefined || lot.partHeuresMarche !== undefined)) {
		return 'partHeuresMarche';
	}
	return 'standard';
}

function missing(where: string, champ: string, libelle: string, message: string, correction: string): AnomalyError {
	return new AnomalyError([{ gravite: 'erreur', champ, libelle, ou: where, message, correction, regle: 'calibrage.parametreManquant' }]);
}

function rateWarnings(where: string, params: Record<string, UsedParameter>): Anomaly[] {
	const warnings: Anomaly[] = [];
	for (const [champ, parameter] of Object.entries(params)) {
		if (parameter.unite !== '%') continue;
		if (parameter.valeur > 0 && parameter.valeur < 1) {
			warnings.push({
				gravite: 'avertissement',
				champ,
				libelle: parameter.libelle,
				ou: where,
				message: `${formatPercent(parameter.valeur)} est très faible : les taux s\u2019expriment en pourcentage`,
				correction: `Vouliez-vous dire ${formatPercent(parameter.valeur * 100)} ? Saisissez ${formatNumber(parameter.valeur * 100)} pour ${formatPercent(parameter.valeur * 100)}.`,
				regle: 'calibrage.tauxEnFraction',
			});
		}
	}
	const insertion = params.tauxInsertion;
	if (insertion && insertion.valeur > 20) {
		warnings.push({
			gravite: 'avertissement',
			champ: 'tauxInsertion',
			libelle: insertion.libelle,
			ou: where,
			message: `${formatPercent(insertion.valeur)} dépasse la fourchette observée (5 à 20 %)`,
			correction: 'Vérifiez le taux avec le facilitateur ; au-delà, envisagez un marché réservé ou un marché d\u2019insertion.',
			regle: 'calibrage.tauxInsertionEleve',
		});
	}
	return warnings;
}

export function roundHours(value: number, mode: RoundingMode, step: number): number {
	const ratio = roundTo(value / step, 9);
	const rounded = mode === 'inferieur' ? Math.floor(ratio) : mode === 'superieur' ? Math.ceil(ratio) : Math.floor(ratio + 0.5);
	return roundTo(rounded * step, 6);
}

interface FormulaOutcome {
	heures: number;
	formule: string;
	params: Record<string, UsedParameter>;
	warnings: Anomaly[];
}

function standardFormula(lot: Lot, settings: CalibrationSettings, sectors: SectorIndex, where: string): FormulaOutcome {
	const tmo = resolveLabourShare(lot, settings, sectors, where);
	const ti = pick(lot.tauxInsertion, 'tauxInsertion', settings.tauxInsertion);
	const ch = pick(lot.coutHoraire, 'coutHoraire', settings.coutHoraire);
	const montantHT = requireAmount(lot, where, 'standard');
	const montant = lotParameter('montant HT', montantHT, '€');
	const heures = (montantHT * (tmo.valeur / 100) * (ti.valeur / 100)) / ch.valeur;
	return {
		heures,
		formule: `${formatEuros(montantHT)} × ${formatPercent(tmo.valeur)} × ${formatPercent(ti.valeur)} ÷ ${formatNumber(ch.valeur)}\u00a0€/h`,
		params: { montantHT: montant, tauxMainOeuvre: tmo, tauxInsertion: ti, coutHoraire: ch },
		warnings: [],
	};
}

function resolveLabourShare(lot: Lot, settings: CalibrationSettings, sectors: SectorIndex, where: string): UsedParameter {
	const libelle = 'taux de main-d\u2019œuvre';
	if (lot.tauxMainOeuvre !== undefined) return lotParameter(libelle, lot.tauxMainOeuvre, '%');
	if (lot.secteur !== undefined) {
		const match = sectors.byName(lot.secteur);
		if (!match) {
			throw new AnomalyError([
				{
					gravite: 'erreur',
					champ: 'secteur',
					libelle: 'secteur',
					ou: where,
					message: `le secteur ${quote(lot.secteur)} est absent du référentiel`,
					correction: `Choisissez un secteur parmi : ${sectors.labels().join(', ')} ; ou indiquez le taux de main-d\u2019œuvre du lot (champ «\u00a0tauxMainOeuvre\u00a0») ; ou ajoutez ce secteur au référentiel (paramètre «\u00a0Référentiel des secteurs\u00a0»).`,
					regle: 'calibrage.secteurInconnu',
				},
			]);
		}
		return sectorParameter(match.secteur, `secteur ${quote(lot.secteur)}`);
	}
	if (lot.cpv !== undefined) {
		const match = sectors.byCpv(lot.cpv);
		if (match) return sectorParameter(match.secteur, `code CPV ${lot.cpv}`);
	}
	if (settings.tauxMainOeuvre !== undefined) return settingParameter('tauxMainOeuvre', settings.tauxMainOeuvre);
	throw missing(
		where,
		'tauxMainOeuvre',
		libelle,
		lot.cpv
			? `taux de main-d\u2019œuvre inconnu : le code CPV ${lot.cpv} ne correspond à aucun secteur du référentiel`
			: 'taux de main-d\u2019œuvre inconnu : ni taux, ni secteur, ni code CPV rattaché au référentiel',
		`Indiquez le taux de main-d\u2019œuvre du lot (champ «\u00a0tauxMainOeuvre\u00a0», en %), ou son secteur parmi : ${sectors.labels().join(', ')} ; ou fixez un taux pour toute l\u2019exécution dans les paramètres du nœud.`,
	);
}

function sectorParameter(sector: Sector, via: string): UsedParameter {
	return {
		libelle: `taux de main-d\u2019œuvre (${sector.libelle}, d\u2019après le ${via})`,
		valeur: sector.tauxMainOeuvre,
		unite: '%',
		origine: 'référentiel',
		source: sector.source,
	};
}

function requireAmount(lot: Lot, where: string, method: string): number {
	if (lot.montantHT === undefined) {
		throw missing(
			where,
			'montantHT',
			'montant HT',
			`montant HT manquant : la méthode ${quote(method)} en a besoin`,
			'Indiquez le montant HT du lot (champ «\u00a0montantHT\u00a0», colonne «\u00a0Montant HT\u00a0»).',
		);
	}
	return lot.montantHT;
}

function requireDuration(lot: Lot, where: string, method: string): UsedParameter {
	if (lot.dureeMois === undefined) {
		throw missing(
			where,
			'dureeMois',
			'durée (mois)',
			`durée manquante : la méthode ${quote(method)} en a besoin`,
			'Indiquez la durée d\u2019exécution du lot en mois (champ «\u00a0dureeMois\u00a0»).',
		);
	}
	return lotParameter('durée', lot.dureeMois, 'mois');
}

function marketHoursShareFormula(lot: Lot, settings: CalibrationSettings, where: string): FormulaOutcome {
	const part = pick(lot.partHeuresMarche, 'partHeuresMarche', settings.partHeuresMarche);
	if (lot.heuresMarche !== undefined) {
		const hm = lotParameter('heures totales du marché', lot.heuresMarche, 'h');
		return {
			heures: lot.heuresMarche * (part.valeur / 100),
			formule: `${formatHours(lot.heuresMarche)} × ${formatPercent(part.valeur)}`,
			params: { heuresMarche: hm, partHeuresMarche: part },
			warnings: [],
		};
	}
	const ch = pick(lot.coutHoraire, 'coutHorairePrestationIntellectuelle', settings.coutHorairePrestationIntellectuelle);
	const tmo: UsedParameter =
		lot.tauxMainOeuvre !== undefined
			? lotParameter('taux de main-d\u2019œuvre', lot.tauxMainOeuvre, '%')
			: { libelle: 'taux de main-d\u2019œuvre (prestations intellectuelles)', valeur: 100, unite: '%', origine: 'référentiel', source: DEFAULTS.coutHorairePrestationIntellectuelle.source };
	const montantHT = requireAmount(lot, where, 'part des heures du marché');
	const heuresMarche = (montantHT * (tmo.valeur / 100)) / ch.valeur;
	return {
		heures: heuresMarche * (part.valeur / 100),
		formule: `(${formatEuros(montantHT)} × ${formatPercent(tmo.valeur)} ÷ ${formatNumber(ch.valeur)}\u00a0€/h) × ${formatPercent(part.valeur)}`,
		params: {
			montantHT: lotParameter('montant HT', montantHT, '€'),
			tauxMainOeuvre: tmo,
			coutHoraire: ch,
			heuresMarche: { libelle: 'heures totales du marché (calculées)', valeur: roundTo(heuresMarche, 2), unite: 'h', origine: 'calcul' },
			partHeuresMarche: part,
		},
		warnings: [],
	};
}

function annualVolumeFormula(lot: Lot, settings: CalibrationSettings, where: string): FormulaOutcome {
	const volume = pick(lot.volumeAnnuel, 'volumeAnnuel', settings.volumeAnnuel);
	const duree = requireDuration(lot, where, 'volume annuel');
	return {
		heures: volume.valeur * (duree.valeur / 12),
		formule: `${formatNumber(volume.valeur)}\u00a0h/an × ${formatNumber(duree.valeur)}\u00a0mois ÷ 12`,
		params: { volumeAnnuel: volume, dureeMois: duree },
		warnings: [],
	};
}

/** Une heure par tranche complète de montant facturé (« 1 heure par tranche de 1 500 € facturés ») : les tranches entamées ne comptent pas. */
function perEuroFormula(lot: Lot, settings: CalibrationSettings, where: string): FormulaOutcome {
	const facture = lotParameter(
		lot.montantFacture !== undefined ? 'montant facturé HT' : 'montant HT (assiette facturée)',
		lot.montantFacture ?? requireAmount(lot, where, 'par euro facturé'),
		'€',
	);
	const eph = pick(lot.eurosParHeure, 'eurosParHeure', settings.eurosParHeure);
	return {
		heures: Math.floor(roundTo(facture.valeur / eph.valeur, 9)),
		formule: `tranches complètes de ${formatEuros(eph.valeur)} dans ${formatEuros(facture.valeur)} × 1\u00a0h`,
		params: { montantFacture: facture, eurosParHeure: eph },
		warnings: [],
	};
}

function cleaningFormula(lot: Lot, settings: CalibrationSettings, where: string): FormulaOutcome {
	const duree = requireDuration(lot, where, 'propreté avec reprise du personnel');
	if (lot.heuresMensuellesTransferees === undefined) {
		throw missing(
			where,
			'heuresMensuellesTransferees',
			'heures mensuelles du personnel repris',
			'heures mensuelles du personnel repris manquantes (S de la formule Inserpropre)',
			'Indiquez le volume mensuel d\u2019heures du personnel transféré (champ «\u00a0heuresMensuellesTransferees\u00a0») ; 0 s\u2019il n\u2019y a pas de reprise.',
		);
	}
	const A = requireAmount(lot, where, 'propreté avec reprise du personnel');
	const N = duree.valeur;
	const S = lot.heuresMensuellesTransferees;
	const c = pick(lot.coutHoraire, 'coutHoraireProprete', settings.coutHoraireProprete);
	const t = pick(lot.tauxInsertion, 'tauxInsertion', settings.tauxInsertion);
	const monthly = A / N;
	const P = monthly > 0 ? 1 - (S * c.valeur) / monthly : 0;
	const warnings: Anomaly[] = [];
	let heures = (P * A * (t.valeur / 100)) / c.valeur;
	if (P <= 0) {
		heures = 0;
		warnings.push({
			gravite: 'avertissement',
			champ: 'heuresMensuellesTransferees',
			libelle: 'heures mensuelles du personnel repris',
			ou: where,
			message: `le personnel repris (${formatNumber(S)}\u00a0h/mois) couvre déjà tout le marché (P = ${formatNumber(roundTo(P, 4))})`,
			correction: 'Pas d\u2019heures d\u2019insertion à exiger en plus : justifiez l\u2019absence de clause en heures dans la fiche visa, ou retenez une action qualitative.',
			regle: 'calibrage.personnelRepris',
		});
	}
	return {
		heures,
		formule:
			P <= 0
				? `P = 1 − (${formatNumber(S)}\u00a0h × ${formatNumber(c.valeur)}) ÷ (${formatEuros(A)} ÷ ${formatNumber(N)}) = ${formatNumber(roundTo(P, 4))} ≤ 0 : le personnel repris couvre déjà tout le marché, aucune heure d\u2019insertion à exiger en plus`
				: `P = 1 − (${formatNumber(S)}\u00a0h × ${formatNumber(c.valeur)}) ÷ (${formatEuros(A)} ÷ ${formatNumber(N)}) = ${formatNumber(roundTo(P, 4))} ; ${formatNumber(roundTo(P, 4))} × ${formatEuros(A)} ÷ ${formatNumber(c.valeur)} × ${formatPercent(t.valeur)}`,
		params: {
			montantHT: lotParameter('chiffre d\u2019affaires sur la période (A)', A, '€'),
			dureeMois: lotParameter('durée (N)', N, 'mois'),
			heuresMensuellesTransferees: lotParameter('heures mensuelles du personnel repris (S)', S, 'h/mois'),
			coutHoraire: { ...c, libelle: `${c.libelle} (C)` },
			tauxInsertion: { ...t, libelle: `${t.libelle} (T)` },
			partNonCouverte: { libelle: 'part du marché non couverte par le personnel repris (P)', valeur: roundTo(P, 4), unite: '', origine: 'calcul' },
		},
		warnings,
	};
}

/** Lot du secteur de la propreté, par son secteur ou son code CPV. */
function isCleaningLot(lot: Lot, sectors: SectorIndex): boolean {
	const bySector = lot.secteur !== undefined ? sectors.byName(lot.secteur) : undefined;
	const match = bySector ?? (lot.cpv !== undefined ? sectors.byCpv(lot.cpv) : undefined);
	return match?.cle === 'proprete';
}

export function calibrateLot(lot: Lot, settings: CalibrationSettings, sectors: SectorIndex, where: string): CalibrationResult {
	const methode = chooseMethod(lot, settings);
	let outcome: FormulaOutcome;
	switch (methode) {
		case 'standard':
			outcome = standardFormula(lot, settings, sectors, where);
			break;
		case 'partHeuresMarche':
			outcome = marketHoursShareFormula(lot, settings, where);
			break;
		case 'volumeAnnuel':
			outcome = annualVolumeFormula(lot, settings, where);
			break;
		case 'parEuroFacture':
			outcome = perEuroFormula(lot, settings, where);
			break;
		case 'proprete':
			outcome = cleaningFormula(lot, settings, where);
			break;
	}
	const heuresCalculees = Math.max(0, outcome.heures);
	const heuresArrondies = roundHours(heuresCalculees, settings.arrondi, settings.pasArrondi);
	// Plancher de la propreté (150 h, Inserpropre) pour tout lot de propreté, quelle que soit la formule :
	// c'est le secteur qui fixe le minimum (Inserpropre : en deçà de 150 h, pas de clause), pas la méthode.
	const plancherParam: UsedParameter =
		lot.plancherHeures !== undefined
			? lotParameter('plancher d\u2019heures', lot.plancherHeures, 'h')
			: methode === 'proprete' || isCleaningLot(lot, sectors)
				? settingParameter('plancherProprete', settings.plancherProprete)
				: settingParameter('plancherHeures', settings.plancherHeures);
	const plancher = plancherParam.valeur;
	const sousPlancher = heuresArrondies < plancher;
	const heures = sousPlancher ? 0 : heuresArrondies;
	const warnings = [...outcome.warnings, ...rateWarnings(where, outcome.params)];
	if (lot.repriseDuPersonnel && lot.heuresMensuellesTransferees === undefined && methode !== 'proprete') {
		warnings.push({
			gravite: 'avertissement',
			champ: 'heuresMensuellesTransferees',
			libelle: 'heures mensuelles du personnel repris',
			ou: where,
			message: `reprise du personnel indiquée sans les heures mensuelles du personnel repris : ${CALIBRATION_METHODS[methode].court} appliquée, qui ne tient pas compte de la reprise`,
			correction:
				'Indiquez le volume mensuel d\u2019heures du personnel transféré (champ «\u00a0heuresMensuellesTransferees\u00a0») pour appliquer la formule Inserpropre ; sans lui, les heures d\u2019insertion peuvent être surestimées.',
			regle: 'calibrage.repriseSansHeures',
		});
	}
	if (sousPlancher && heuresCalculees > 0) {
		warnings.push({
			gravite: 'avertissement',
			champ: 'heures',
			libelle: 'heures d\u2019insertion',
			ou: where,
			message: `${formatHours(heuresArrondies)} est en deçà du plancher de ${formatHours(plancher)} : aucune heure retenue`,
			correction:
				'Justifiez l\u2019absence de clause en heures dans la fiche visa, ou prévoyez une action qualitative (plan de progrès, accueil de stagiaires, action contre l\u2019illettrisme).',
			regle: 'calibrage.sousPlancher',
		});
	}
	const etpHours = settingParameter('heuresEtp', settings.heuresEtp);
	const monthHours = settingParameter('heuresMoisTempsPlein', settings.heuresMoisTempsPlein);
	const exact = roundTo(heuresCalculees, 2);
	const rounded = exact === heuresArrondies ? '' : ` → ${formatHours(heuresArrondies)}`;
	// P ≤ 0 (personnel repris) : la formule dit déjà qu'il n'y a pas d'heures ; ni produit ni plancher à comparer.
	const covered = outcome.warnings.some((w) => w.regle === 'calibrage.personnelRepris');
	const formule = covered
		? `${outcome.formule} → 0\u00a0h`
		: `${outcome.formule} = ${formatHours(exact)}${rounded}${sousPlancher ? ` < plancher de ${formatHours(plancher)} → 0\u00a0h` : ''}`;
	const annees = lot.dureeMois !== undefined ? lot.dureeMois / 12 : undefined;
	return {
		methode,
		methodeLibelle: CALIBRATION_METHODS[methode].libelle,
		heures,
		heuresCalculees: roundTo(heuresCalculees, 2),
		heuresArrondies,
		plancher,
		sousPlancher,
		formule,
		parametres: {
			...outcome.params,
			plancherHeures: plancherParam,
			heuresEtp: etpHours,
			heuresMoisTempsPlein: monthHours,
		},
		equivalents: {
			etp: roundTo(heures / settings.heuresEtp, 2),
			...(annees !== undefined && annees > 1 ? { etpParAn: roundTo(heures / annees / settings.heuresEtp, 2) } : {}),
			moisTempsPlein: roundTo(heures / settings.heuresMoisTempsPlein, 2),
		},
		avertissements: warnings,
	};
}
