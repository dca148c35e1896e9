/** Sorties du nœud : un élément par clause (décision, envoi, modèles en aperçu) et la synthèse par facilitateur. */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { asJson } from '../shared/parameters';
import type { OnceOutcome } from '../shared/send-once';
import { sendReport } from '../shared/send-once';
import type { ReminderParameters } from './parameters';
import type { Planned } from './plan';
import type { ReminderPreview, ReminderSending } from './send';
import { buildFacilitatorSummaries } from './summary';

/** Ce que l'envoi a donné, pour l'élément de sortie. */
function envoiOf(p: Planned, outcome: OnceOutcome | 'aperçu' | undefined, preview: ReminderPreview | undefined): IDataObject {
	if (!p.mail) return { statut: 'sans objet', motif: 'Aucune relance à ce niveau ce mois-ci.' };
	const base: IDataObject = { a: p.mail.to, cc: p.mail.cc, objet: p.mail.subject, cle: p.decision.cleEnvoi };
	// Aperçu : le corps rendu pour l'aperçu (le plan ne garde pas le corps des courriels).
	if (outcome === 'aperçu') return { statut: 'aperçu', ...base, texte: preview?.text, html: preview?.html };
	if (!outcome) return { statut: 'sans objet', ...base };
	return sendReport(outcome, p.mail.to, base, {
		alreadySent: 'Relance déjà envoyée lors d’une exécution précédente : pas de renvoi.',
		holderRefused: (refused) =>
			`adresse du titulaire ${refused.adresse} refusée (${refused.message}) ; les copies sont parties. Corrigez l’adresse dans le registre : la relance repartira à la prochaine exécution.`,
		uncertainEvenIfRefused: true,
	});
}

export function clauseItem(p: Planned, outcome: OnceOutcome | 'aperçu' | undefined, preview: ReminderPreview | undefined): INodeExecutionData {
	const out: INodeExecutionData = {
		json: {
			marche: p.clause.marche,
			lot: p.clause.lot,
			titulaire: p.clause.titulaire,
			siret: p.clause.siret,
			facilitateur: p.clause.facilitateur,
			emailFacilitateur: p.clause.emailFacilitateur,
			decision: asJson(p.decision),
			envoi: envoiOf(p, outcome, preview),
		},
		pairedItem: { item: p.itemIndex },
	};
	// Aperçu : « modele » (premier mois), puis « modele_2 », « modele_3 »… pour les mois suivants.
	if (preview && preview.modeles.length > 0) out.binary = Object.fromEntries(preview.modeles.map((b, i) => [i === 0 ? 'modele' : `modele_${i + 1}`, b]));
	return out;
}

/** La synthèse par facilitateur (seulement celles qui ont du nouveau, sauf option contraire). */
export function summaryItems(
	clauseOut: INodeExecutionData[],
	parameters: ReminderParameters,
	sending: ReminderSending,
	ignored: { ignoredSheets: string[]; ignoredFiles: string[] },
): INodeExecutionData[] {
	const onlyNews = parameters.options.syntheseSiNouveau !== false;
	const summaries = buildFacilitatorSummaries(clauseOut.map((i) => i.json), {
		dateReference: parameters.settings.dateReference,
		mode: parameters.mode,
		ignoredSheets: ignored.ignoredSheets,
		ignoredFiles: ignored.ignoredFiles,
	}).filter((s) => !onlyNews || s.compte['envoyé'] + s.compte['échec'] + s.compte['reporté'] + s.compte['aperçu'] > 0);
	return summaries.map((summary) => ({
		json: asJson({ ...summary, envoi: { courriels: sending.courriels, dureeMs: Math.round(sending.dureeMs) } }),
		pairedItem: clauseOut.flatMap((i) => (i.json.emailFacilitateur === summary.emailFacilitateur || summary.emailFacilitateur === null ? pairedOf(i) : [])),
	}));
}

/** L'élément d'entrée d'un élément de sortie (un seul, posé par ce nœud). */
function pairedOf(item: INodeExecutionData): Array<{ item: number }> {
	const paired = item.pairedItem;
	return typeof paired === 'object' && !Array.isArray(paired) ? [{ item: paired.item }] : [];
}
