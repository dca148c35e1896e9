import fc from 'fast-check';

import { formatEuros, formatNumber, formatPercent, parseDecimal, roundCents, roundTo } from '../../nodes/core';

describe('parseDecimal : nombres saisis à la française', () => {
	it.each<[string, number]>([
		['1 234,50', 1234.5],
		['1 234,50 €', 1234.5],
		['1 234,50 € HT', 1234.5],
		['1\u00a0234,50', 1234.5],
		['1\u202f234,50\u00a0€', 1234.5],
		['1\u00a0000\u00a0000', 1_000_000],
		['1\u202f000\u202f000 €', 1_000_000],
		['1.234,50', 1234.5],
		['1,234.50', 1234.5],
		['1.234.567,89', 1234567.89],
		['1,234,567.89', 1234567.89],
		['1.234.567', 1234567],
		["1'234,50", 1234.5],
		['12,5 %', 12.5],
		['12,5%', 12.5],
		['5 %', 5],
		['0,05', 0.05],
		['-3', -3],
		['\u22123', -3],
		['+3', 3],
		['- 3 €', -3],
		['30 €/h', 30],
		['1 800 h', 1800],
		['35 heures', 35],
		['EUR 1 000', 1000],
		['1 000 euros', 1000],
		['  42  ', 42],
		['0', 0],
		['.5', 0.5],
		['1.5', 1.5],
		['1,5', 1.5],
		['1234', 1234],
	])('« %s » → %p', (input, expected) => {
		expect(parseDecimal(input)).toBe(expected);
	});

	it.each<[number, number]>([
		[0, 0],
		[42, 42],
		[-3, -3],
		[1234.5, 1234.5],
		[0.05, 0.05],
		[1e9, 1e9],
	])('nombre JSON %p → %p', (input, expected) => {
		expect(parseDecimal(input)).toBe(expected);
	});

	it.each<[string, unknown]>([
		['texte', 'abc'],
		['nombre en lettres', 'douze mille'],
		['plusieurs virgules', '1,2,3'],
		['chaîne vide', ''],
		['espaces seuls', '   '],
		['insécables seules', '\u00a0\u202f'],
		['décoration seule', '€'],
		['pourcentage seul', '%'],
		['double signe', '--3'],
		['signe seul', '-'],
		['virgule seule', ','],
		['notation scientifique', '1e3'],
		['deux nombres', '12-3'],
		['décoration entre deux chiffres (12 h 30)', '12 h 30'],
		['euro entre deux chiffres', '1 € 2'],
		['null', null],
		['undefined', undefined],
		['NaN', Number.NaN],
		['Infinity', Number.POSITIVE_INFINITY],
		['-Infinity', Number.NEGATIVE_INFINITY],
		['objet', { valeur: 12 }],
		['tableau', [12]],
		['booléen', true],
		['Date', new Date(2026, 0, 1)],
		['BigInt', BigInt(12)],
	])('%s → undefined', (_label, input) => {
		expect(parseDecimal(input)).toBeUndefined();
	});

	it('relit les nombres qu’écrit le cœur (formatNumber, formatEuros, formatPercent)', () => {
		fc.assert(
			fc.property(fc.integer({ min: -1e11, max: 1e11 }), (cents) => {
				const value = cents / 100;
				expect(parseDecimal(formatNumber(value))).toBe(value);
				expect(parseDecimal(formatEuros(value))).toBe(value);
				expect(parseDecimal(formatPercent(value))).toBe(value);
			}),
			{ numRuns: 200 },
		);
	});
});

describe('roundTo / roundCents', () => {
	it.each<[number, number, number]>([
		[833.3333333, 2, 833.33],
		[833.3333333, 0, 833],
		[1.005, 2, 1.01],
		[1.255, 2, 1.26],
		[-1.005, 2, -1.01],
		[2.5, 0, 3],
		[-2.5, 0, -3],
		[0.125, 2, 0.13],
		[5.49225, 2, 5.49],
		[1234.5, 0, 1235],
		[123456.789, 1, 123456.8],
		[3, 2, 3],
	])('roundTo(%p, %p) = %p', (value, decimals, expected) => {
		expect(roundTo(value, decimals)).toBe(expected);
	});

	it('ne renvoie jamais -0', () => {
		expect(Object.is(roundTo(-0.001, 2), 0)).toBe(true);
		expect(Object.is(roundTo(-0, 2), 0)).toBe(true);
	});

	it('roundCents arrondit au centime, demi vers le haut', () => {
		expect(roundCents(10.005)).toBe(10.01);
		expect(roundCents(0.1 + 0.2)).toBe(0.3);
		expect(roundCents(-10.005)).toBe(-10.01);
	});

	it('est idempotent et reste à moins d’un demi-pas de la valeur', () => {
		fc.assert(
			fc.property(
				fc.double({ min: -1e6, max: 1e6, noNaN: true }),
				fc.integer({ min: 0, max: 4 }),
				(value, decimals) => {
					const once = roundTo(value, decimals);
					expect(roundTo(once, decimals)).toBe(once);
					expect(Math.abs(once - value)).toBeLessThanOrEqual(0.5 / 10 ** decimals + 1e-9);
				},
			),
			{ numRuns: 200 },
		);
	});
});
