/**
 * Mise en forme française des nombres : la version écrite à la main (rapide)
 * doit donner exactement ce que donne Intl.NumberFormat('fr-FR'), à l'espace
 * des milliers près (espace insécable ordinaire au lieu de l'espace fine).
 */
import fc from 'fast-check';

import { formatEuros, formatHours, formatInteger, formatNumber, formatPercent, withArticle, withPreposition } from '../../nodes/core';

const intl = (min: number, max: number) => {
	const format = new Intl.NumberFormat('fr-FR', { minimumFractionDigits: min, maximumFractionDigits: max });
	return (value: number) => format.format(value).replace(/[\u202f\u00a0]/g, '\u00a0');
};
const reference = { entier: intl(0, 0), nombre: intl(0, 2), euros: intl(2, 2) };

describe('nombres à la française', () => {
	it('donne les exemples attendus', () => {
		expect(formatNumber(1234.5)).toBe('1\u00a0234,5');
		expect(formatNumber(1.005)).toBe('1,01');
		expect(formatNumber(999.995)).toBe('1\u00a0000');
		expect(formatNumber(-0.001)).toBe('-0');
		expect(formatInteger(1234567.5)).toBe('1\u00a0234\u00a0568');
		expect(formatEuros(60)).toBe('60,00\u00a0€');
		expect(formatEuros(1234567.891)).toBe('1\u00a0234\u00a0567,89\u00a0€');
		expect(formatPercent(12.5)).toBe('12,5\u00a0%');
		expect(formatHours(151.67)).toBe('151,67\u00a0h');
		expect(formatNumber(Infinity)).toBe('∞');
		expect(formatNumber(1e21)).toBe(reference.nombre(1e21));
	});

	it('donne exactement les chiffres d’Intl.NumberFormat, quel que soit le nombre', () => {
		const values = fc.oneof(
			fc.double({ noNaN: true, min: -1e22, max: 1e22 }),
			fc.integer({ min: -1e9, max: 1e9 }).map((n) => n / 1000),
			fc.integer({ min: -1e7, max: 1e7 }).map((n) => n / 200),
			fc.constantFrom(0, -0, 0.005, 0.015, 1.005, 2.675, 999.995, 9.995, 99999.995, 1e-7, 5e-3, 123456789.125),
		);
		fc.assert(
			fc.property(values, (value) => {
				expect(formatInteger(value)).toBe(reference.entier(value));
				expect(formatNumber(value)).toBe(reference.nombre(value));
				expect(formatEuros(value)).toBe(`${reference.euros(value)}\u00a0€`);
			}),
			{ numRuns: 5000 },
		);
	});
});

describe('nom d’un organisme précédé de « à » ou « de »', () => {
	it.each([
		['à', 'PLIE du Val d’Argent', 'au PLIE du Val d’Argent'],
		['de', 'PLIE du Val d’Argent', 'du PLIE du Val d’Argent'],
		['à', 'Maison de l’emploi Sud 77', 'à la Maison de l’emploi Sud 77'],
		['de', 'Maison de l’emploi Sud 77', 'de la Maison de l’emploi Sud 77'],
		['à', 'Mission locale du Bocage', 'à la Mission locale du Bocage'],
		['à', 'Espace emploi de Niort', 'à l’Espace emploi de Niort'],
		['à', 'GIP Réussir', 'au GIP Réussir'],
		['à', 'Le Relais insertion', 'au Relais insertion'],
		['à', 'Initiative Emploi', 'à Initiative Emploi'],
		['de', 'Initiative Emploi', 'd’Initiative Emploi'],
		['de', 'Cap emploi Niort', 'de Cap emploi Niort'],
		['de', 'Agence locale d’insertion', 'de l’Agence locale d’insertion'],
		['à', 'Agence locale d’insertion', 'à l’Agence locale d’insertion'],
		['de', 'L’Atelier du bocage', 'de l’Atelier du bocage'],
		['de', 'Maisons de l’emploi du Val d’Argent', 'des Maisons de l’emploi du Val d’Argent'],
		['à', 'Maisons de l’emploi du Val d’Argent', 'aux Maisons de l’emploi du Val d’Argent'],
		['de', 'Les Jardins de Cocagne', 'des Jardins de Cocagne'],
		['à', 'La Régie de quartier', 'à la Régie de quartier'],
		['de', 'Le PLIE', 'du PLIE'],
		['à', 'PLIE', 'au PLIE'],
		['de', 'Mission locale', 'de la Mission locale'],
		['de', 'Hauts-de-Seine Insertion', 'de Hauts-de-Seine Insertion'],
	])('%s + « %s » : %s', (preposition, name, expected) => {
		expect(withPreposition(preposition as 'à' | 'de', name)).toBe(expected);
	});

	it.each([
		['PLIE du Val d’Argent', 'le PLIE du Val d’Argent'],
		['Maison de l’emploi', 'la Maison de l’emploi'],
		['Agence locale d’insertion', 'l’Agence locale d’insertion'],
		['Maisons de l’emploi', 'les Maisons de l’emploi'],
		['La Régie de quartier', 'la Régie de quartier'],
		['Initiative Emploi', 'Initiative Emploi'],
	])('article de « %s » : %s', (name, expected) => {
		expect(withArticle(name)).toBe(expected);
	});
});
