/**
 * JSON stable du registre : le texte doit rester exactement celui d'avant
 * (JSON.stringify avec une fonction de remplacement qui recopie chaque objet,
 * clés triées), sans quoi une réimportation à l'identique créerait une nouvelle
 * version de chaque relevé déjà au registre. Comparé sur des valeurs tirées au
 * hasard (objets imbriqués, tableaux, clés d'indice, valeurs absentes, dates,
 * objets à toJSON) et sur une ligne de relevé.
 */
import { stableJson } from '../../nodes/adapters';

/** L'écriture d'avant, telle qu'elle était (référence). */
function reference(value: unknown): string {
	return JSON.stringify(value, (_k, v: unknown) => {
		if (v && typeof v === 'object' && !Array.isArray(v)) {
			return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
		}
		return v;
	});
}

/** Générateur pseudo-aléatoire reproductible (mulberry32). */
function random(seed: number): () => number {
	let a = seed;
	return () => {
		a = (a + 0x6d2b79f5) | 0;
		let t = Math.imul(a ^ (a >>> 15), 1 | a);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const KEYS = ['marche', 'lot', 'Mois', 'é', 'a', 'b', 'z', '0', '1', '10', '2', '01', '-1', '4294967295', '4294967294', '1.5', ' ', 'heuresMois', 'zz', 'A'];

function value(next: () => number, depth: number): unknown {
	const pick = Math.floor(next() * (depth > 3 ? 8 : 11));
	switch (pick) {
		case 0: return null;
		case 1: return undefined;
		case 2: return next() < 0.5;
		case 3: return Math.floor(next() * 1000) - 500;
		case 4: return [NaN, Infinity, -0, 0.1, 1e21][Math.floor(next() * 5)];
		case 5: return `texte « ${Math.floor(next() * 100)} » \u2019"\\\n`;
		case 6: return new Date(Date.UTC(2026, Math.floor(next() * 12), 1));
		case 7: return () => 1;
		case 8: return Array.from({ length: Math.floor(next() * 4) }, () => value(next, depth + 1));
		case 9: {
			const inner = value(next, depth + 1);
			return { toJSON: (key: string) => ({ cle: key, z: 1, a: inner }) };
		}
		default: {
			const out: Record<string, unknown> = {};
			const n = Math.floor(next() * 6);
			for (let i = 0; i < n; i++) out[KEYS[Math.floor(next() * KEYS.length)]] = value(next, depth + 1);
			return out;
		}
	}
}

it('même texte que la fonction de remplacement, sur 20 000 valeurs tirées au hasard', () => {
	const next = random(12);
	let objects = 0;
	for (let i = 0; i < 20000; i++) {
		const v = value(next, 0);
		if (v !== null && typeof v === 'object') objects++;
		expect([i, stableJson(v)]).toEqual([i, reference(v)]);
	}
	expect(objects).toBeGreaterThan(5000);
});

it('même texte avec un ordre des clés gardé d’une valeur à l’autre (table d’attente d’un import)', () => {
	const next = random(34);
	const cache = { keys: [] as string[], order: null as number[] | null };
	for (let i = 0; i < 20000; i++) {
		// Des valeurs de même forme à la suite, puis d'autres : l'ordre gardé doit servir et être remplacé.
		const v = i % 3 === 0 ? { heuresMois: i, marche: 'M', lot: String(i % 7) } : value(next, 0);
		expect([i, stableJson(v, cache)]).toEqual([i, reference(v)]);
	}
});

it('clés triées, clés d’indice d’abord ; objets sans prototype, « __proto__ », objets d’une classe', () => {
	expect(stableJson({ b: 1, a: { d: [{ y: 1, x: 2 }], c: undefined }, 10: 'x', 2: 'y' })).toBe('{"2":"y","10":"x","a":{"d":[{"x":2,"y":1}]},"b":1}');
	const bare = Object.assign(Object.create(null) as Record<string, unknown>, { b: 1, a: 2 });
	expect(stableJson(bare)).toBe(reference(bare));
	const proto = JSON.parse('{"b":1,"__proto__":{"x":1},"a":2}') as unknown;
	expect(stableJson(proto)).toBe(reference(proto));
	expect(stableJson(proto)).toBe('{"__proto__":{"x":1},"a":2,"b":1}');
	class Point {
		constructor(
			readonly y: number,
			readonly x: number,
		) {}
	}
	expect(stableJson({ p: new Point(1, 2) })).toBe(reference({ p: new Point(1, 2) }));
	expect(stableJson([new Number(3), new String('ab')])).toBe(reference([new Number(3), new String('ab')]));
	expect(stableJson(undefined)).toBe(reference(undefined));
	expect(() => stableJson({ a: 1n })).toThrow(TypeError);
});

it('une ligne de relevé : même texte, et l’objet de la ligne n’est pas modifié', () => {
	const line = { marche: 'M-1', lot: '1', mois: '2026-01', participant: 'P-1', heuresMois: 20, heuresFormation: 7, residentQpv: true, commentaire: undefined };
	const copy = { ...line };
	expect(stableJson(line)).toBe(reference(line));
	expect(line).toEqual(copy);
	expect(Object.keys(line)).toEqual(Object.keys(copy));
});
