/** Paramètres du nœud « Réception des relevés », lus et validés une fois par exécution. */
import type { IExecuteFunctions } from 'n8n-workflow';
import { z } from 'zod/v4';

import type { IntakeSettings, ReadLimits } from '../core';
import { parseIntakeSettings, receptionDateOf, senderAddress, todayIn } from '../core';
import { toNodeError } from '../shared/items';
import { choiceParameter, collectionParameter, textParameter } from '../shared/parameters';
import { readLimitsParameter } from '../shared/read-limits';

/** Options d'envoi et de nom du classeur (les autres options sont lues par les réglages de la réception). */
const IntakeOptionsSchema = z.object({
	debitParSeconde: z.unknown().transform((v) => Number(v ?? 10)),
	bailEnvoi: z.unknown().transform((v) => Number(v ?? 120)),
	nomRegistre: z.unknown().transform((v) => String(v ?? '')),
});

export interface IntakeParameters {
	mode: 'apercu' | 'envoyer';
	/** Relevés reçus en fichiers Excel ou en éléments (une ligne par élément). */
	reports: 'fichiers' | 'elements';
	/** Champs binaires des relevés (« * » : tous les fichiers .xlsx de l'élément). */
	reportProperties: string[];
	/** Champ binaire du classeur de suivi ; absent : relevés enregistrés au registre des clauses. */
	workbookProperty: string | undefined;
	settings: IntakeSettings;
	limits: ReadLimits;
	signature: string;
	debitParSeconde: number;
	bailEnvoi: number;
	/** Nom demandé pour la nouvelle version du classeur (vide : nom de version par défaut). */
	nomRegistre: string;
	/** Date de réception saisie pour un élément (`undefined` : vide ou illisible). */
	dateOf: (itemIndex: number) => string | undefined;
	/** Adresse de l'expéditeur saisie pour un élément. */
	senderOf: (itemIndex: number) => string | undefined;
}

export function readIntakeParameters(ctx: IExecuteFunctions): IntakeParameters {
	// Une expression peut rendre une date (ou la date d'un courriel) : lue telle quelle, puis reconnue.
	const dateOf = (itemIndex: number) => receptionDateOf(ctx.getNodeParameter('dateReception', itemIndex, ''));
	// Le champ « from » d'un courriel lu par n8n est un objet : son adresse en est extraite.
	const senderOf = (itemIndex: number) => senderAddress(ctx.getNodeParameter('expediteur', itemIndex, ''));
	const mode = choiceParameter(ctx, 'mode', ['apercu', 'envoyer']);
	const reports = choiceParameter(ctx, 'sourceReleves', ['fichiers', 'elements']);
	const options = collectionParameter(ctx);
	let limits: ReadLimits;
	let settings: IntakeSettings;
	try {
		limits = readLimitsParameter(ctx);
		settings = parseIntakeSettings({ dateReception: dateOf(0) ?? todayIn(ctx.getTimezone()), seuilHeuresMois: options.seuilHeuresMois, moisDejaRecu: options.moisDejaRecu });
	} catch (error) {
		throw toNodeError(ctx.getNode(), error, 0);
	}
	const suivi = choiceParameter(ctx, 'source', ['registre', 'classeur'], 0, 'registre');
	const sending = IntakeOptionsSchema.parse(options);
	return {
		mode,
		reports,
		reportProperties: reports === 'fichiers' ? textParameter(ctx, 'champsReleves', 0, 'data').split(',').map((s) => s.trim()).filter(Boolean) : [],
		workbookProperty: suivi === 'classeur' ? textParameter(ctx, 'champRegistre', 0, 'registre') : undefined,
		settings,
		limits,
		signature: textParameter(ctx, 'signature'),
		...sending,
		dateOf,
		senderOf,
	};
}
