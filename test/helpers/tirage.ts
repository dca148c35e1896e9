/**
 * Tirages pseudo-aléatoires reproductibles pour les tests (générateur
 * mulberry32) : un même numéro de tirage redonne la même suite. Le numéro est
 * pris dans CLAUSES_TIRAGE s'il est donné (pour rejouer un échec), sinon tiré
 * au hasard ; le test l'affiche dans son nom.
 */
export function numeroDeTirage(): number {
	const given = Number(process.env.CLAUSES_TIRAGE);
	return Number.isInteger(given) && given > 0 ? given : 1 + Math.floor(Math.random() * 2 ** 31);
}

export interface Tirage {
	/** Nombre dans [0, 1). */
	(): number;
	/** Entier dans [min, max]. */
	entier(min: number, max: number): number;
	/** Les éléments dans un ordre tiré. */
	melange<T>(items: T[]): T[];
}

export function tirage(numero: number): Tirage {
	let state = numero >>> 0;
	const next = (() => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	}) as Tirage;
	next.entier = (min, max) => min + Math.floor(next() * (max - min + 1));
	next.melange = (items) => {
		const copy = [...items];
		for (let i = copy.length - 1; i > 0; i--) {
			const j = Math.floor(next() * (i + 1));
			[copy[i], copy[j]] = [copy[j], copy[i]];
		}
		return copy;
	};
	return next;
}
