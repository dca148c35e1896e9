// Données communes des bancs : nombres à la française, SIRET fictifs valides.

/** Nombre au format français (virgule décimale, espace insécable pour les milliers). */
export const fr = (v, d = 0) => new Intl.NumberFormat('fr-FR', { minimumFractionDigits: d, maximumFractionDigits: d }).format(v).replace(/\u202f/g, '\u00a0');

/** SIRET fictif n° i : 14 chiffres dont le dernier rend la clé de Luhn valide. */
export function siret(i) {
	const base = String(100000000000 + i * 7).padStart(13, '0').slice(0, 13).split('').map(Number);
	for (let c = 0; c < 10; c++) {
		const all = [...base, c];
		let sum = 0;
		for (let k = 0; k < 14; k++) {
			let d = all[13 - k];
			if (k % 2 === 1) {
				d *= 2;
				if (d > 9) d -= 9;
			}
			sum += d;
		}
		if (sum % 10 === 0) return all.join('');
	}
	throw new Error('siret');
}
