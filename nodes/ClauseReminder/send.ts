/**
 * Envoi des relances (mode envoi) une fois par clause, mois et niveau (clé de
 * non-redite, voir shared/send-once.ts), ou leur aperçu. Les modèles de relevé
 * pré-remplis : un classeur de base par exécution, puis chaque modèle produit au
 * moment de son envoi (ou de son aperçu) et aussitôt libéré ; un modèle par mois
 * manquant (le titulaire renvoie un relevé par mois).
 */
import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';

import type { OutgoingMail } from '../adapters';
import { ReportTemplateFactory, reportFileName } from '../adapters';
import { clauseKey, templateMonths } from '../core';
import { MIME, outputFile } from '../shared/parameters';
import type { PoolingContext } from '../shared/pooling';
import type { OnceOutcome } from '../shared/send-once';
import { sendOnceInRegister } from '../shared/send-once';
import type { ReminderParameters } from './parameters';
import type { Planned } from './plan';

export interface ReminderSending {
	outcomes: Map<Planned, OnceOutcome | 'aperçu'>;
	/** Aperçu : les modèles de relevé de chaque relance. */
	previews: Map<Planned, IBinaryData[]>;
	courriels: number;
	dureeMs: number;
}

export async function sendReminders(ctx: IExecuteFunctions, planned: Planned[], parameters: ReminderParameters, pooling?: PoolingContext): Promise<ReminderSending> {
	const { options } = parameters;
	const toMail = planned.filter((p) => p.mail);
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
	const previews = new Map<Planned, IBinaryData[]>();
	const sendStart = process.hrtime.bigint();
	if (parameters.mode === 'envoyer' && toMail.length > 0) {
		const sent = await sendOnceInRegister(
			ctx,
			// Le modèle de relevé est produit au moment de l'envoi, puis libéré.
			toMail.map((p) => ({ key: p.decision.cleEnvoi!, mail: async () => withTemplates(p.mail!, await templatesFor(p)) })),
			{ debitParSeconde: Number(options.debitParSeconde ?? 10), nature: 'relance', bailSecondes: Number(options.bailEnvoi ?? 120) },
		);
		for (const p of toMail) outcomes.set(p, sent.get(p.decision.cleEnvoi!)!);
	} else {
		for (const p of toMail) {
			outcomes.set(p, 'aperçu');
			const binaries: IBinaryData[] = [];
			for (const modele of await templatesFor(p)) binaries.push(await outputFile(ctx, modele.content, modele.fileName, 'xlsx'));
			if (binaries.length > 0) previews.set(p, binaries);
		}
	}
	const dureeMs = parameters.mode === 'envoyer' ? Number(process.hrtime.bigint() - sendStart) / 1e6 : 0;
	return { outcomes, previews, courriels: toMail.length, dureeMs };
}
