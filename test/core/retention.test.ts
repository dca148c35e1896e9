/** Durée de conservation des relevés : mois échus, lignes rendues anonymes. */
import { PERSONAL_FIELDS, anonymiseLine, isAnonymous, retentionStart } from '../../nodes/core';

describe('conservation des données personnelles des relevés', () => {
	test('premier mois conservé : la durée comptée depuis le mois de la date de référence', () => {
		expect(retentionStart('2031-03-15', 60)).toBe('2026-03');
		expect(retentionStart('2027-01-01', 1)).toBe('2026-12');
		expect(retentionStart('2027-01-31', 12)).toBe('2026-01');
		expect(() => retentionStart('2027-01-31', 0)).toThrow('durée de conservation invalide : 0 mois');
		expect(() => retentionStart('2027-01-31', 1.5)).toThrow(RangeError);
	});

	test('une ligne perd chaque donnée personnelle ; le participant devient son alias ; heures, employeur et contrat restent', () => {
		const line = {
			marche: '2026-TRX-014',
			lot: '4',
			mois: '2026-03',
			participant: '031-9-P01',
			categoriePublic: 'beneficiaireRsa',
			eligibiliteValidee: true,
			employeur: 'titulaire',
			modalite: 'embaucheDirecte',
			typeContrat: 'cdd',
			debutContrat: '2026-01-05',
			finContrat: '2026-06-30',
			poste: 'Aide-électricien',
			sexe: 'femme',
			trancheAge: 'moins26',
			residentQpv: true,
			situationSixMois: 'emploiDurable',
			heuresMois: 35,
			heuresFormation: 7,
			justification: 'arrêt maladie',
		};
		const out = anonymiseLine(line, (p) => `anonyme-${p.length}`)!;
		expect(out).toEqual({ marche: '2026-TRX-014', lot: '4', mois: '2026-03', participant: 'anonyme-9', employeur: 'titulaire', modalite: 'embaucheDirecte', typeContrat: 'cdd', heuresMois: 35, heuresFormation: 7 });
		for (const field of PERSONAL_FIELDS) expect(out).not.toHaveProperty(field);
		expect(isAnonymous(out)).toBe(true);
		// Déjà anonyme : rien à réécrire.
		expect(anonymiseLine(out, () => 'autre')).toBeUndefined();
		// Une ligne « néant » sans participant, mais avec une donnée personnelle, est réécrite.
		expect(anonymiseLine({ mois: '2026-03', heuresMois: 0, justification: 'congés' }, () => 'x')).toEqual({ mois: '2026-03', heuresMois: 0 });
	});
});
