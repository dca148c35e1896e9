/**
 * Aucun courriel ne dit deux fois la même phrase : le test rend chaque courriel
 * de chaque nœud qui en envoie, sur les données d'exemple (relance de chaque
 * niveau, accusé de réception d'un relevé accepté et d'un relevé refusé,
 * décision de fiche visa, synthèse de l'étude, avis de pénalité et paquet de
 * revue), en texte et en HTML, et cherche une phrase répétée dans un même
 * courriel.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { Produced } from '../helpers/generated-outputs';
import { allOutputs } from '../helpers/generated-outputs';

interface Mail {
	where: string;
	text: string;
}

/** Textes de courriel d'un élément : tout champ « texte », « text » ou « html » de son JSON, à toute profondeur. */
function mailsOf(where: string, value: unknown, out: Mail[]): void {
	if (Array.isArray(value)) value.forEach((v, i) => mailsOf(`${where}[${i}]`, v, out));
	else if (value && typeof value === 'object') {
		for (const [key, v] of Object.entries(value as IDataObject)) {
			if (typeof v === 'string' && (key === 'texte' || key === 'text')) out.push({ where: `${where}.${key}`, text: v });
			else if (typeof v === 'string' && key === 'html') out.push({ where: `${where}.${key}`, text: htmlToText(v) });
			else mailsOf(`${where}.${key}`, v, out);
		}
	}
}

function htmlToText(html: string): string {
	return html
		.replace(/<(br|\/p|\/tr|\/li|\/h\d|\/div)\b[^>]*>/gi, '\n')
		.replace(/<[^>]+>/g, ' ')
		.replace(/&nbsp;/g, '\u00a0')
		.replace(/&lt;/g, '<')
		.replace(/&gt;/g, '>')
		.replace(/&quot;/g, '"')
		.replace(/&#39;/g, '\'')
		.replace(/&amp;/g, '&');
}

/** Phrases d'un texte : coupées aux fins de phrase et aux lignes ; les formules brèves (« Madame, Monsieur, ») ne comptent pas. */
export function sentences(text: string): string[] {
	return text
		.split(/\n+|(?<=[.!?…])\s+(?=[A-ZÀÂÉÈÊÎÔÙÇ«])/)
		.map((s) => s.replace(/[\s\u00a0\u202f]+/g, ' ').trim())
		.filter((s) => s.length >= 30);
}

export function repeatedSentences(text: string): string[] {
	const seen = new Set<string>();
	const repeated: string[] = [];
	for (const s of sentences(text)) {
		if (seen.has(s) && !repeated.includes(s)) repeated.push(s);
		seen.add(s);
	}
	return repeated;
}

let produced: Produced[];
beforeAll(async () => {
	produced = await allOutputs();
}, 300000);

const mails = (): Mail[] => {
	const out: Mail[] = [];
	for (const { source, items } of produced) items.forEach((item: INodeExecutionData, i) => mailsOf(`${source}, élément ${i + 1}`, item.json, out));
	return out;
};

describe('aucune phrase répétée dans un courriel', () => {
	it('le détecteur trouve une phrase redite, pas deux phrases voisines', () => {
		expect(repeatedSentences('Madame, Monsieur,\n\nLe facilitateur reste à votre disposition. Merci. Le facilitateur reste à votre disposition.')).toEqual(['Le facilitateur reste à votre disposition.']);
		expect(repeatedSentences('Le relevé de juin est reçu, merci beaucoup. Le relevé de juillet est reçu, merci beaucoup.')).toEqual([]);
	});

	it('chaque courriel rendu par les nœuds, en texte et en HTML', () => {
		const all = mails();
		const reached = (pattern: RegExp) => all.some((m) => pattern.test(m.text));
		// Tous les courriels attendus ont bien été rendus.
		expect(reached(/^Madame, Monsieur,[\s\S]*Nous n’avons pas reçu/)).toBe(true);
		expect(reached(/Il s’agit de notre deuxième relance/)).toBe(true);
		expect(reached(/pourra vous adresser une mise en demeure/)).toBe(true);
		expect(all.filter((m) => /relance du/.test(m.where)).length).toBeGreaterThanOrEqual(6);
		expect(all.filter((m) => /réception des relevés/.test(m.where)).length).toBeGreaterThanOrEqual(4);
		expect(all.filter((m) => /fiches visa contrôlées/.test(m.where)).length).toBeGreaterThanOrEqual(2);
		expect(all.filter((m) => /rapport de la consultation/.test(m.where)).length).toBe(2);
		expect(all.filter((m) => /avis de pénalité|paquet de revue/.test(m.where)).length).toBeGreaterThanOrEqual(2);
		const found = all.flatMap((m) => repeatedSentences(m.text).map((s) => `${m.where} : « ${s} »`));
		expect(found).toEqual([]);
	});

	it('la synthèse de l’étude donne le marché à côté de chaque lot', () => {
		const synthesis = mails().find((m) => /rapport de la consultation/.test(m.where) && m.where.endsWith('.texte'))!;
		const lots = synthesis.text.split('\n').filter((l) => l.startsWith('- '));
		expect(lots.length).toBeGreaterThan(1);
		for (const line of lots) expect(line).toMatch(/^- Marché [^,]+, lot /);
	});
});
