/**
 * Envoi des relances (mode envoi) une fois par clause, mois et niveau (clé de
 * non-redite, voir shared/send-once.ts), ou leur aperçu. Les modèles de relevé
 * pré-remplis : un classeur de base par exécution, puis chaque modèle produit au
 * moment de son envoi (ou de son aperçu) et aussitôt libéré ; un modèle par mois
 * manquant (le titulaire renvoie un relevé par mois). Le courriel lui-même
 * (texte et HTML) est rendu de même au moment de son envoi, puis libéré ; en
 * aperçu, il reste dans l'élément de sortie de sa clause, qui est l'aperçu.
 */
import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';

import type { OutgoingMail } from '../adapters';
import { ReportTemplateFactory, reportFileName } from '../adapters';
import { clauseKey, templateMonths } from '../core';
import { MIME, outputFile } from '../shared/parameters';
import type { OnceOutcome } from '../shared/send-once';
import { sendOnceInRegister } from '../shared/send-once';
import type { ReminderParameters } from './parameters';
import type { Planned, PlannedMail, ReminderPlan } from './plan';

/** Aperçu d'une relance : son corps et ses modèles de relevé. */
export interface ReminderPreview {
	text: string;
	html: string;
	modeles: IBinaryData[];
}

export interface ReminderSending {
	outcomes: Map<Planned, OnceOutcome | 'aperçu'>;
	/** Aperçu : le corps et les modèles de relevé de chaque relance. */
	previews: Map<Planned, ReminderPreview>;
	courriels: number;
	dureeMs: number;
}

export async function sendReminders(ctx: IExecuteFunctions, plan: Pick<ReminderPlan, 'planned' | 'pooling' | 'renderMail'>, parameters: ReminderParameters): Promise<ReminderSending> {
	const { options } = parameters;
	const { pooling, renderMail } = plan;
	const toMail = plan.planned.filter((p): p is Planned & { mail: PlannedMail } => p.mail !== undefined);
	const factory = parameters.attach && toMail.length > 0 ? await ReportTemplateFactory.create(parameters.settings.dateReference) : undefined;
	const templatesFor = async (p: Planned) => {
		if (!factory) return [];
		// Entreprises déclarées au registre (sous-traitants, cotraitants, SIAE) : nommées dans le modèle.
		const intervenants = pooling?.intervenants.get(clauseKey(p.clause));
		return templateMonths(p.decision).map((mois) => ({ fileName: reportFileName(p.clause, mois), content: factory.render({ clause: p.clause, mois, intervenants }) }));
	};
	const withTemplates = (mail: OutgoingMail, modeles: Array<{ fileName: string; content: Buffer }>): OutgoingMail =>
		modeles.length > 0 ? { ...mail, attachments: modeles.map((m) => ({ filename: m.fileName, content: m.content, contentType: MIME.xlsx })) } : mail;

	const outcomes = new Map<Planned, OnceOutcome | 'aperçu'>();
	const previews = new Map<Planned, ReminderPreview>();
	const sendStart = process.hrtime.bigint();
	if (parameters.mode === 'envoyer' && toMail.length > 0) {
		const sent = await sendOnceInRegister(
			ctx,
			// Le courriel et son modèle de relevé sont produits au moment de l'envoi, puis libérés.
			toMail.map((p) => ({ key: p.decision.cleEnvoi!, mail: async () => withTemplates(renderMail(p), await templatesFor(p)) })),
			{ debitParSeconde: Number(options.debitParSeconde ?? 10), nature: 'relance', bailSecondes: Number(options.bailEnvoi ?? 120) },
		);
		for (const p of toMail) outcomes.set(p, sent.get(p.decision.cleEnvoi!)!);
	} else {
		for (const p of toMail) {
			outcomes.set(p, 'aperçu');
			const { text, html } = renderMail(p);
			const modeles: IBinaryData[] = [];
			for (const modele of await templatesFor(p)) modeles.push(await outputFile(ctx, modele.content, modele.fileName, 'xlsx'));
			previews.set(p, { text, html, modeles });
		}
	}
	const dureeMs = parameters.mode === 'envoyer' ? Number(process.hrtime.bigint() - sendStart) / 1e6 : 0;
	return { outcomes, previews, courriels: toMail.length, dureeMs };
}
