/** Paramètres du nœud « Relance mensuelle », lus et validés une fois par exécution. */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { z } from 'zod/v4';

import type { ClauseRecord, ReminderSettings } from '../core';
import { WorkingCalendar, addDays, linkSecretProblem, parseReminderSettings, reportLinkUrl, signReportLink, todayIn } from '../core';
import { toNodeError } from '../shared/items';
import { choiceParameter, collectionParameter, textParameter } from '../shared/parameters';
import { registerLinkSecret } from '../shared/register';

export interface ReminderParameters {
	mode: 'apercu' | 'envoyer';
	/** La collection « Options » du nœud, telle que saisie. */
	options: IDataObject;
	settings: ReminderSettings;
	calendar: WorkingCalendar;
	/**
	 * Option « premier jour ouvré » : `attente` avant le premier jour ouvré du mois (rien à faire),
	 * `rattrapage` après (date de référence ramenée au premier jour ouvré : ne part que ce qui n'est
	 * pas encore parti, les relances déjà envoyées étant reconnues par leur clé) ; `jour` sinon.
	 */
	moment: 'jour' | 'attente' | 'rattrapage';
	/** La date du jour demandée, quand la date de référence a été ramenée au premier jour ouvré. */
	dateDemandee?: string;
	signature: string;
	/** Joindre le modèle de relevé pré-rempli. */
	attach: boolean;
}

export function readReminderParameters(ctx: IExecuteFunctions): ReminderParameters {
	const mode = choiceParameter(ctx, 'mode', ['apercu', 'envoyer']);
	const options = collectionParameter(ctx);
	const requested = textParameter(ctx, 'dateReference').trim();
	const calendar = new WorkingCalendar(String(options.calendrier ?? 'FR'));
	let settings: ReminderSettings;
	let moment: ReminderParameters['moment'] = 'jour';
	let dateDemandee: string | undefined;
	try {
		settings = parseReminderSettings({ ...options, dateReference: requested === '' ? todayIn(ctx.getTimezone()) : requested });
		if (ctx.getNodeParameter('premierJourOuvre', 0, false) === true) {
			const first = calendar.firstWorkingDay(settings.dateReference.slice(0, 7));
			if (settings.dateReference < first) moment = 'attente';
			else if (settings.dateReference > first) {
				moment = 'rattrapage';
				dateDemandee = settings.dateReference;
				settings = parseReminderSettings({ ...options, dateReference: first });
			}
		}
	} catch (error) {
		throw toNodeError(ctx.getNode(), error, 0);
	}
	return { mode, options, settings, calendar, moment, dateDemandee, signature: textParameter(ctx, 'signature'), attach: options.joindreModele !== false };
}

const OnlineOptionsSchema = z.object({
	adresseReleveEnLigne: z.string().trim().default(''),
	validiteLienJours: z.coerce.number().int().min(1, 'au moins 1 jour').max(366, 'au plus 366 jours').default(45),
});

export interface OnlineLinks {
	url: (clause: ClauseRecord, mois: string) => string;
	expireDate: string;
}

/** Liens signés du relevé en ligne, si son adresse est renseignée (le secret vient de l'identifiant du registre). */
export async function onlineLinks(ctx: IExecuteFunctions, options: IDataObject, dateReference: string): Promise<OnlineLinks | undefined> {
	const parsed = OnlineOptionsSchema.safeParse(options);
	if (!parsed.success) {
		throw new NodeOperationError(ctx.getNode(), `Option « Validité des liens du relevé en ligne » : ${parsed.error.issues[0].message}`, { description: 'Indiquez un nombre de jours entre 1 et 366.' });
	}
	const base = parsed.data.adresseReleveEnLigne;
	if (base === '') return undefined;
	if (!/^https?:\/\/[^\s]+$/.test(base)) {
		throw new NodeOperationError(ctx.getNode(), `Adresse du relevé en ligne invalide : « ${base} »`, { description: 'Indiquez l’adresse complète du nœud Webhook du workflow « Relevé en ligne », commençant par https://, ou videz l’option.' });
	}
	const secret = await registerLinkSecret(ctx);
	const problem = linkSecretProblem(secret);
	if (problem) {
		throw new NodeOperationError(ctx.getNode(), `Relevé en ligne : ${problem}`, {
			description: 'Choisissez dans ce nœud l’identifiant « Registre des clauses » et renseignez-y le secret des liens (32 caractères au moins), ou videz l’option « Adresse du relevé en ligne ».',
		});
	}
	const expireDate = addDays(dateReference, parsed.data.validiteLienJours);
	const expire = Date.parse(`${expireDate}T23:59:59Z`) / 1000;
	return { url: (clause, mois) => reportLinkUrl(base, signReportLink(secret, { marche: clause.marche, lot: clause.lot, siret: clause.siret, mois, expire })), expireDate };
}
