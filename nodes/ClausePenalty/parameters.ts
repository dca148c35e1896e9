/** Paramètres du nœud « Avis de pénalité », lus et validés une fois par exécution. */
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { DeliveryMode, LetterOptions, PenaltySettings } from '../core';
import { PENALTY_SETTINGS_LABELS, PenaltySettingsSchema, parseSettings, todayIn } from '../core';
import { toNodeError } from '../shared/items';
import { choiceParameter, collectionParameter } from '../shared/parameters';

export interface PenaltyParameters {
	mode: 'revue' | 'envoyer';
	/** Source du suivi : avec le registre des clauses, les avis envoyés y sont consignés et relus. */
	source: 'registre' | 'classeur' | 'elements';
	settings: PenaltySettings;
	letter: LetterOptions;
	/**
	 * Empreintes SHA-256 des lettres approuvées lors de la revue. En mode envoi,
	 * seules ces lettres partent : une liste vide n'en laisse partir aucune.
	 */
	approved: Set<string>;
	/**
	 * Envoi sans revue, choisi explicitement (option, désactivée par défaut) : les
	 * lettres partent sans empreinte approuvée ; des empreintes saisies restent exigées.
	 */
	sansRevue: boolean;
	debitParSeconde: number;
	/** Bail d'une réservation d'envoi dans le registre (s). */
	bailEnvoi: number;
	/** Tenir compte des groupes de mutualisation du registre (option, activée par défaut). */
	mutualisation: boolean;
}

/**
 * Liste d'empreintes saisie en JSON (tableau) ou séparée par des virgules ; seules
 * les empreintes SHA-256 valides comptent. Vide ou absente : aucune lettre approuvée.
 */
export function fingerprints(value: unknown): Set<string> {
	if (value === undefined || value === null) return new Set();
	let list: unknown = value;
	if (typeof value === 'string') {
		const text = value.trim();
		if (text === '') return new Set();
		try {
			list = text.startsWith('[') ? JSON.parse(text) : text.split(/[\s,;]+/);
		} catch {
			list = text.split(/[\s,;]+/);
		}
	}
	return new Set(
		(Array.isArray(list) ? list : [list])
			.map((v) => String(v ?? '').trim().toLowerCase())
			.filter((v) => /^[0-9a-f]{64}$/.test(v)),
	);
}

function deliveryMode(value: unknown): DeliveryMode {
	return value === 'lrar' || value === 'lre' ? value : 'courriel';
}

export function readPenaltyParameters(ctx: IExecuteFunctions): PenaltyParameters {
	const node = ctx.getNode();
	const options = collectionParameter(ctx);
	const requested = String(ctx.getNodeParameter('dateAvis', 0, '') ?? '').trim();
	const echeance = ctx.getNodeParameter('echeance', 0, 'finExecution');
	let settings: PenaltySettings;
	try {
		settings = parseSettings(
			PenaltySettingsSchema,
			{
				dateCalcul: requested === '' ? todayIn(ctx.getTimezone()) : requested,
				echeance,
				dateJalon: echeance === 'jalon' ? ctx.getNodeParameter('dateJalon', 0, '') : undefined,
				tauxHoraire: ctx.getNodeParameter('tauxHoraire', 0, undefined),
				tauxJourRetardReleve: ctx.getNodeParameter('tauxJourRetardReleve', 0, undefined),
				tauxJourRetardBilan: ctx.getNodeParameter('tauxJourRetardBilan', 0, undefined),
				plafondPourcentage: ctx.getNodeParameter('plafondPourcentage', 0, undefined),
				plafondAssiette: options.plafondAssiette ?? 'annuel',
				delaiGraceJours: options.delaiGraceJours ?? 0,
				miseEnDemeureRequise: options.miseEnDemeureRequise ?? true,
				delaiMiseEnDemeureJours: options.delaiMiseEnDemeureJours ?? 15,
				delaiBilanJours: options.delaiBilanJours ?? 30,
				delaiObservationsJours: options.delaiObservationsJours ?? 15,
				articleCcap: options.articleCcap,
				exonerationCcag: options.exonerationCcag ?? false,
				seuilExonerationCcag: options.seuilExonerationCcag ?? 1000,
				plafondCcag: options.plafondCcag ?? false,
				plafondCcagPourcentage: options.plafondCcagPourcentage ?? 10,
			},
			PENALTY_SETTINGS_LABELS,
		);
	} catch (error) {
		throw toNodeError(node, error, 0);
	}
	if (settings.echeance === 'jalon' && !settings.dateJalon) {
		throw new NodeOperationError(node, 'Date du jalon manquante', {
			itemIndex: 0,
			description: 'Saisissez la date du jalon (AAAA-MM-JJ) ou choisissez « Fin d’exécution ».',
		});
	}
	return {
		mode: choiceParameter(ctx, 'mode', ['revue', 'envoyer']),
		source: choiceParameter(ctx, 'source', ['registre', 'classeur', 'elements'], 0, 'registre'),
		settings,
		letter: {
			emetteur: String(ctx.getNodeParameter('emetteur', 0, '') ?? ''),
			signature: String(ctx.getNodeParameter('signature', 0, '') ?? ''),
			signataire: {
				qualite: String(ctx.getNodeParameter('signataireQualite', 0, '') ?? ''),
				nom: String(ctx.getNodeParameter('signataireNom', 0, '') ?? ''),
			},
			lieu: options.lieu ? String(options.lieu) : undefined,
			modeEnvoi: deliveryMode(ctx.getNodeParameter('modeEnvoi', 0, 'courriel')),
			mentionEnvoi: options.mentionEnvoi ? String(options.mentionEnvoi) : undefined,
			delaiObservationsJours: settings.delaiObservationsJours,
		},
		approved: fingerprints(options.empreintesApprouvees),
		sansRevue: options.envoiSansRevue === true,
		debitParSeconde: Number(options.debitParSeconde ?? 5),
		bailEnvoi: Number(options.bailEnvoi ?? 120),
		mutualisation: options.mutualisation !== false,
	};
}
