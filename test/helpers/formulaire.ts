/**
 * Le formulaire du relevé en ligne vu comme un navigateur le voit : ses champs
 * (valeurs pré-remplies comprises) et leur envoi.
 */
/** Les champs d'un formulaire HTML tels qu'un navigateur les enverrait (valeurs pré-remplies comprises). */
export function formFields(html: string): Record<string, string> {
	const fields: Record<string, string> = {};
	const decode = (v: string) => v.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
	for (const m of html.matchAll(/<input ([^>]*)>/g)) {
		const name = /name="([^"]+)"/.exec(m[1])?.[1];
		const type = /type="([^"]+)"/.exec(m[1])?.[1];
		if (!name || (type === 'checkbox' && !/ checked/.test(m[1]))) continue;
		fields[name] = decode(/value="([^"]*)"/.exec(m[1])?.[1] ?? '');
	}
	for (const m of html.matchAll(/<select id="[^"]+" name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) fields[m[1]] = decode(/<option value="([^"]*)" selected>/.exec(m[2])?.[1] ?? '');
	for (const m of html.matchAll(/<textarea id="[^"]+" name="([^"]+)"[^>]*>([\s\S]*?)<\/textarea>/g)) fields[m[1]] = decode(m[2]);
	return fields;
}

export async function post(url: string, fields: Record<string, string>): Promise<{ status: number; body: string }> {
	const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
	return { status: response.status, body: await response.text() };
}

/**
 * Une saisie d'une seule ligne : la première ligne pré-remplie (complétée si vide)
 * avec `heures` heures dans le mois, les autres lignes vidées, prête à « Enregistrer ».
 */
export function oneLineEntry(fields: Record<string, string>, heures: string): Record<string, string> {
	const entry: Record<string, string> = {
		...fields,
		participant_1: fields.participant_1 || 'E2E-P01',
		categoriePublic_1: fields.categoriePublic_1 || 'beneficiaireRsa',
		modalite_1: fields.modalite_1 || 'embaucheDirecte',
		heuresMois_1: heures,
		action: 'enregistrer',
	};
	for (let n = 2; n <= Number(fields.lignes); n++) {
		for (const f of ['participant', 'categoriePublic', 'employeur', 'modalite', 'typeContrat', 'heuresMois', 'heuresFormation', 'justification']) entry[`${f}_${n}`] = '';
	}
	return entry;
}
