/**
 * Lecture rapide des lignes (rowReader) : pour toute ligne, même résultat que
 * la lecture complète par zod (tryReadRecord) — mêmes valeurs, mêmes clés,
 * mêmes erreurs —, y compris quand les valeurs reviennent d'une ligne à l'autre.
 */
import emailAddresses from 'email-addresses';
import fc from 'fast-check';

import { CLAUSE_READER, REPORT_HOURS_READER, REPORT_LINE_READER, normalizeEmail, rowReader, tryReadRecord } from '../../nodes/core';

const pick = <T>(values: T[]) => fc.constantFrom(...values);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const lineArb = fc.record(
	{
		marche: pick(['2026-TRX-014', ' 2026-TRX-014 ', 17, '', null]),
		lot: pick(['4', 4, 'Lot 2', '']),
		siret: maybe(pick(['10000000000008', '1000 0000 0000 08', '10000000000009', 12345])),
		mois: pick(['2026-03', '03/2026', 'mars 2026', 46082, '2026-13', '', 'plus tard']),
		participant: maybe(pick(['P-1', 'P-2', '  ', 'néant', 42])),
		categoriePublic: maybe(pick(['RSA', 'Bénéficiaire du RSA', 'jeune', 'inconnue', ''])),
		eligibiliteValidee: maybe(pick(['oui', 'non', true, 1, 'peut-être'])),
		employeur: maybe(pick(['Titulaire', 'EI', 'sous traitant', 'autre'])),
		modalite: maybe(pick(['Embauche directe', 'MAD', 'rien'])),
		typeContrat: maybe(pick(['CDD', 'CDDI', 'intérim', 'stage'])),
		debutContrat: maybe(pick(['2026-01-05', '05/01/2026', 46027, '31/02/2026'])),
		finContrat: maybe(pick(['2025-12-31', '2026-06-30', ''])),
		poste: maybe(pick(['Maçon', 'x'.repeat(201)])),
		heuresMois: pick([0, 35, '12,5', '1 234,5', -3, 'beaucoup', '', undefined]),
		heuresFormation: maybe(pick([0, 7, '7 h', -1])),
		remplaceePar: maybe(pick(['2026-04-02 v2', ''])),
		commentaireLibre: maybe(pick(['gardé', 3])),
		Mois: maybe(pick(['04/2026'])),
	},
	{ requiredKeys: [] },
);

const clauseArb = fc.record(
	{
		marche: pick(['2026-TRX-014', 'M-2']),
		lot: pick(['4', 2]),
		siret: pick(['10000000000008', '10000000000009']),
		titulaire: pick(['BTP Ouest', '']),
		emailTitulaire: pick(['contact@btp-ouest.fr', 'Jean <jean@btp.fr>', 'jean@localhost', '"a b"@btp.fr', 'a..b@btp.fr', 'x@-btp.fr', 'é@btp.fr']),
		heuresDues: pick([420, '420', 0, '1 200,5']),
		debutExecution: pick(['2026-01-01', '01/01/2026']),
		finExecution: pick(['2027-12-31', '2025-12-31']),
		facilitateur: pick(['PLIE']),
		emailFacilitateur: pick(['plie@example.fr', 'plie@example']),
		acheteur: pick(['Service des marchés']),
		emailAcheteur: pick(['marches@region.fr']),
		statut: maybe(pick(['En cours', 'soldé', 'on verra', ''])),
		courbe: maybe(pick(['2026-01:100 ; 2026-02:250', '[{"mois":"2026-01","heuresCumulees":10}]', 'n’importe quoi'])),
		copieRelances: maybe(pick(['a@b.fr, c@d.fr', 'a@b.fr'])),
	},
	{ requiredKeys: ['marche', 'lot', 'siret', 'titulaire', 'emailTitulaire', 'heuresDues', 'debutExecution', 'finExecution', 'facilitateur', 'emailFacilitateur', 'acheteur', 'emailAcheteur'] },
);

function same(reader: Parameters<typeof rowReader>[0], rows: Array<Record<string, unknown>>): void {
	const fast = rowReader(reader);
	for (const row of rows) {
		const expected = tryReadRecord(reader, row, 'ligne 7');
		const actual = fast(row, () => 'ligne 7');
		if (expected.ok) {
			expect(actual.ok).toBe(true);
			// toStrictEqual : une clé présente à undefined n'est pas une clé absente.
			if (actual.ok) expect(actual.value).toStrictEqual(expected.value);
		} else {
			expect(actual.ok).toBe(false);
			if (!actual.ok) expect(actual.error.anomalies).toStrictEqual(expected.error.anomalies);
		}
	}
}

describe('rowReader', () => {
	it('rend exactement ce que rend zod pour les lignes de relevé (complètes et réduites aux heures)', () => {
		fc.assert(fc.property(fc.array(lineArb, { minLength: 1, maxLength: 30 }), (rows) => same(REPORT_LINE_READER, rows)), { numRuns: 200 });
		fc.assert(fc.property(fc.array(lineArb, { minLength: 1, maxLength: 30 }), (rows) => same(REPORT_HOURS_READER, rows)), { numRuns: 100 });
	});

	it('rend exactement ce que rend zod pour les clauses (règle d’ensemble sur les dates comprise)', () => {
		fc.assert(fc.property(fc.array(clauseArb, { minLength: 1, maxLength: 20 }), (rows) => same(CLAUSE_READER, rows)), { numRuns: 200 });
	});

	it('applique la règle d’ensemble même quand chaque champ, pris seul, est valide', () => {
		const fast = rowReader(REPORT_LINE_READER);
		const ok = fast({ marche: 'M', lot: '1', mois: '2026-03', participant: 'P-1', heuresMois: 10 }, 'ligne 2');
		expect(ok.ok).toBe(true);
		const noParticipant = fast({ marche: 'M', lot: '1', mois: '2026-03', heuresMois: 10 }, 'ligne 3');
		expect(noParticipant.ok).toBe(false);
		if (!noParticipant.ok) expect(noParticipant.error.anomalies[0]).toMatchObject({ champ: 'participant', ou: 'ligne 3', regle: 'releve.participant' });
	});

	it('ne partage pas entre deux lignes une valeur lue qui est un objet', () => {
		const fast = rowReader(CLAUSE_READER);
		const row = { marche: 'M', lot: '1', siret: '10000000000008', titulaire: 'T', emailTitulaire: 't@t.fr', heuresDues: 10, debutExecution: '2026-01-01', finExecution: '2026-12-31', facilitateur: 'F', emailFacilitateur: 'f@f.fr', acheteur: 'A', emailAcheteur: 'a@a.fr', copieRelances: 'x@y.fr' };
		const a = fast(row, '');
		const b = fast({ ...row, lot: '2' }, '');
		expect(a.ok && b.ok).toBe(true);
		if (a.ok && b.ok) expect(a.value.copieRelances).not.toBe(b.value.copieRelances);
	});
});

describe('normalizeEmail (adresses simples sans l’analyseur complet)', () => {
	const full = (text: string) => {
		const parsed = emailAddresses.parseOneAddress({ input: text, rejectTLD: true, simple: false } as never) as { type: string; address: string; name: string | null; domain: string } | null;
		return parsed && parsed.type === 'mailbox' && parsed.name === null && parsed.domain.includes('.') ? parsed.address : undefined;
	};
	it('rend la même adresse que l’analyseur RFC 5322', () => {
		const chars = fc.constantFrom(...'abzAZ09.-_+@!#$%&\'*/=?^`{|}~ "<>,;:()[]\\é'.split(''));
		fc.assert(
			fc.property(fc.array(chars, { maxLength: 24 }), (list) => {
				const text = list.join('');
				if (text.trim() === '') return;
				expect(normalizeEmail(text)).toBe(full(text.trim()));
			}),
			{ numRuns: 3000 },
		);
		for (const text of ['contact@btp-ouest.fr', 'a.b+c@sous.domaine.fr', 'x@y.z', 'a@b-.fr', 'a@-b.fr', 'a.@b.fr', '.a@b.fr', 'a@b..fr', 'a@b.fr.', 'a@1.2']) {
			expect(normalizeEmail(text)).toBe(full(text));
		}
	});
});
