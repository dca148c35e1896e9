/** Sorties du nœud : un élément par relevé (contrôle, versions, accusé), une ligne acceptée par élément. */
import type { IDataObject, INode, INodeExecutionData, NodeOperationError } from 'n8n-workflow';

import type { Acknowledgement, ReportResult } from '../core';
import { lineAnomalyText } from '../core';
import { errorItem } from '../shared/items';
import { asJson, asJsonList } from '../shared/parameters';
import { BUSY_ELSEWHERE, UNCERTAIN_RESENT, failedStatus, refusedHolder } from '../shared/send-once';
import type { Received } from './receive';
import type { Recorded } from './record';
import { registerFailure } from './record';
import type { AckOutcome, Acknowledgements } from './send';

/** Ce que l'envoi de l'accusé a donné, pour l'élément de sortie. */
function accuseOf(ack: Acknowledgement, outcome: AckOutcome | undefined): IDataObject {
	const accuse: IDataObject = { a: ack.to, cc: ack.cc, objet: ack.subject, cle: ack.cle };
	if (outcome === 'aperçu') Object.assign(accuse, { statut: 'aperçu', texte: ack.text, html: ack.html });
	else if (outcome === 'déjà envoyé') Object.assign(accuse, { statut: 'déjà envoyé', motif: 'Accusé déjà envoyé pour ce même relevé lors d’une exécution précédente.' });
	else if (outcome === 'en cours ailleurs') Object.assign(accuse, { statut: 'en cours ailleurs', motif: BUSY_ELSEWHERE });
	else if (outcome === 'sans destinataire') Object.assign(accuse, { statut: 'sans destinataire', motif: 'Titulaire inconnu et adresse de l’expéditeur absente : le facilitateur doit répondre lui-même.', texte: ack.text });
	else if (outcome && outcome.ok) {
		const refused = refusedHolder(outcome, ack.to);
		Object.assign(accuse, refused ? { statut: 'échec', erreur: `adresse ${refused.adresse} refusée (${refused.message})`, code: refused.code } : { statut: 'envoyé', messageId: outcome.messageId });
		if (outcome.incertain && !refused) Object.assign(accuse, { statut: 'incertain', motif: UNCERTAIN_RESENT });
	} else if (outcome) Object.assign(accuse, { statut: failedStatus(outcome), erreur: outcome.message, code: outcome.code, temporaire: outcome.temporaire });
	return accuse;
}

function reportJson(result: ReportResult, written: Record<string, number> | undefined, accuse: IDataObject): IDataObject {
	return {
		source: result.source,
		fichier: result.fileName ?? null,
		marche: result.marche ?? null,
		lot: result.lot ?? null,
		titulaire: result.clause?.titulaire ?? null,
		facilitateur: result.clause?.facilitateur ?? null,
		mois: result.mois,
		statut: result.statut,
		statutLibelle: result.statutLibelle,
		versions: result.versions,
		...(written !== undefined ? { versionsRegistre: written } : {}),
		compte: result.compte,
		lignes: result.lignes.map((l) => ({ ou: l.ou, statut: l.statut, participant: l.participant ?? null, mois: l.mois ?? null, heuresMois: l.heuresMois ?? null, anomalies: l.anomalies.map(lineAnomalyText) })),
		remplacements: asJsonList(result.remplacements),
		anomalies: asJsonList(result.anomalies),
		accuse,
	};
}

export interface IntakeOutput {
	reportItems: INodeExecutionData[];
	lineItems: INodeExecutionData[];
	/** Erreur du premier relevé refusé par le registre (elle arrête le nœud sans « continuer en cas d'échec »). */
	firstFailure?: NodeOperationError;
}

export function intakeOutput(node: INode, received: Received, recorded: Recorded, sending: Acknowledgements): IntakeOutput {
	const reportItems: INodeExecutionData[] = [];
	const lineItems: INodeExecutionData[] = [];
	let firstFailure: NodeOperationError | undefined;
	recorded.results.forEach((result, i) => {
		const ack = sending.acks[i];
		const report = received.reports[i];
		if (!result || !ack) {
			const error = registerFailure(node, report, recorded.failures.get(i));
			firstFailure ??= error;
			const item = errorItem(node, error, report.itemIndexes[0] ?? 0, { source: report.source, fichier: report.fileName ?? null, accuse: { statut: 'non envoyé', motif: 'Relevé non enregistré : pas d’accusé de réception.' } });
			item.pairedItem = report.itemIndexes.map((item) => ({ item }));
			reportItems.push(item);
			return;
		}
		reportItems.push({ json: reportJson(result, recorded.written.get(i), accuseOf(ack, sending.outcomes.get(ack))), pairedItem: result.itemIndexes.map((item) => ({ item })) });
		for (const line of result.lignes) {
			if (!line.valeur) continue;
			lineItems.push({
				json: { ...asJson(line.valeur), titulaire: result.clause?.titulaire ?? null, statutLigne: line.statut },
				pairedItem: { item: line.itemIndex ?? result.itemIndexes[0] },
			});
		}
	});
	return { reportItems, lineItems, firstFailure };
}
