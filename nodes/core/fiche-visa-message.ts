/**
 * Courriel de décision d'une fiche visa, pour le service prescripteur (copie au
 * service des marchés) : décision, points à reprendre avec leur cellule, ce
 * qu'il faut faire. Texte et HTML ; tout contenu saisi est échappé.
 */
import type { VisaAnomaly, VisaEffect, VisaResult } from './fiche-visa';
import { escapeHtml } from './format';

export interface VisaMessage {
	objet: string;
	texte: string;
	html: string;
}

const SECTIONS: Array<{ effet: VisaEffect; titre: string }> = [
	{ effet: 'REFUSÉ', titre: 'Motifs de refus' },
	{ effet: 'À COMPLÉTER', titre: 'Points à compléter' },
	{ effet: 'observation', titre: 'Observations (sans effet sur le visa)' },
];

const INTRO: Record<VisaResult['decision'], string> = {
	VISÉ: 'La fiche visa est visée : la consultation peut être lancée.',
	'À COMPLÉTER': 'La fiche visa est à compléter : reprenez les points ci-dessous dans la copie annotée jointe, puis renvoyez la fiche.',
	REFUSÉ: 'La fiche visa est refusée : la consultation ne peut pas être lancée en l\u2019état. Les motifs sont ci-dessous et dans la copie annotée jointe.',
};

/** « feuille « Lots », cellule D5 » ou rien. */
export function anomalyPlace(a: VisaAnomaly): string {
	return a.cellule ? `feuille «\u00a0${a.feuille ?? ''}\u00a0», cellule ${a.cellule}` : '';
}

function line(a: VisaAnomaly): string {
	const place = anomalyPlace(a);
	// « lot 2 (feuille « Lots », ligne 5) » : la cellule suffit à situer la ligne.
	const lot = a.ou && !a.ou.startsWith('fiche visa') ? (place ? a.ou.replace(/\s\(.*\)$/, '') : a.ou) : '';
	const where = [lot, place].filter(Boolean).join(' ; ');
	return `${a.libelle}${where ? ` (${where})` : ''} : ${a.message}. ${a.correction}`;
}

export function renderVisaMessage(result: VisaResult, options: { signature?: string; fichierAnnote?: string } = {}): VisaMessage {
	const ref = result.fiche.reference;
	const objet = `Fiche visa${ref ? ` ${ref}` : ''} : ${result.decision}${result.fiche.objet ? ` \u2013 ${result.fiche.objet}` : ''}`.replace(/[\r\n]+/g, ' ').slice(0, 200);
	const signature = (options.signature ?? 'Le service des marchés').trim();
	const texte: string[] = ['Bonjour,', '', INTRO[result.decision], '', result.resume];
	const html: string[] = ['<p>Bonjour,</p>', `<p><strong>${escapeHtml(INTRO[result.decision])}</strong></p>`, `<p>${escapeHtml(result.resume)}</p>`];
	for (const section of SECTIONS) {
		const list = result.anomalies.filter((a) => a.effet === section.effet);
		if (list.length === 0) continue;
		texte.push('', `${section.titre} :`, ...list.map((a) => `- ${line(a)}`));
		html.push(`<h3>${escapeHtml(section.titre)}</h3>`, '<ul>', ...list.map((a) => `<li>${escapeHtml(line(a))}</li>`), '</ul>');
	}
	if (options.fichierAnnote) {
		texte.push('', `Copie annotée jointe : ${options.fichierAnnote} (cellules en cause surlignées et commentées, feuille « Anomalies »). Votre fichier d\u2019origine n\u2019a pas été modifié.`);
		html.push(`<p>Copie annotée jointe : <em>${escapeHtml(options.fichierAnnote)}</em> (cellules en cause surlignées et commentées, feuille «\u00a0Anomalies\u00a0»). Votre fichier d\u2019origine n\u2019a pas été modifié.</p>`);
	}
	texte.push('', 'Cordialement,', signature);
	html.push(`<p>Cordialement,<br>${signature.split('\n').map(escapeHtml).join('<br>')}</p>`);
	return { objet, texte: texte.join('\n'), html: html.join('\n') };
}
