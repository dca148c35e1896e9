/**
 * Données essentielles (DECP, format 2.0) : du registre au fichier publié, lu
 * par le schéma zod écrit à la main et validé par ajv contre le schéma JSON
 * officiel ; les deux schémas refusent les mêmes fiches fautives ; erreurs
 * françaises qui nomment le marché, le lot et le champ.
 */
import type { DecpMarche, LotRecord, RegisterClause } from '../../nodes/core';
import {
	AnomalyError,
	DecpMarcheSchema,
	buildDecpFile,
	decpFromRegister,
	decpIdentifier,
	decpKeyIndex,
	lieuFromTerritory,
	monthsBetween,
	natureFromRegister,
	readDecpFile,
	registerSocialConsiderations,
} from '../../nodes/core';
import { officialSchemaErrors } from '../helpers/decp-schema';

const clause: RegisterClause = {
	marche: '2026-TRX-014',
	lot: '1',
	objet: 'Restructuration du lycée Jean-Monnet',
	intitule: 'Démolition, gros œuvre',
	siret: '88443430614252',
	titulaire: 'Bâtiments Moreau et Fils',
	emailTitulaire: 'contact@moreau.example.test',
	heuresDues: 420,
	debutExecution: '2027-03-01',
	finExecution: '2028-02-29',
	facilitateur: 'PLIE du Val d’Argent',
	emailFacilitateur: 'plie@example.test',
	acheteur: 'Direction des lycées',
	emailAcheteur: 'lycees@region.example.test',
	statut: 'enCours',
	montantHT: 1250000,
	dateNotification: '2027-02-15',
};

const lot: LotRecord = {
	marche: '2026-TRX-014',
	lot: '1',
	objet: 'Restructuration du lycée Jean-Monnet',
	dureeMois: 12,
	etude: {
		decision: 'clause',
		decisionLibelle: 'Clause sociale',
		mecanismes: [],
		considerationsSociales: ['Clause sociale', 'Critère social'],
		heuresRetenues: 420,
		origineHeures: 'calibrage',
		justification: '',
		dateEtude: '2026-11-23',
	},
};

const SIRET_REGION = '23870001500007';
const defaults = {
	nature: 'Marché' as const,
	techniques: { technique: ['Sans objet' as const] },
	modalitesExecution: { modaliteExecution: ['Sans objet' as const] },
	marcheInnovant: false,
	ccag: 'Travaux' as const,
	attributionAvance: false,
	typeGroupementOperateurs: 'Pas de groupement' as const,
	sousTraitanceDeclaree: false,
	procedure: "Appel d'offres ouvert" as const,
	lieuExecution: { code: '87', typeCode: 'Code département' as const },
	typesPrix: { typePrix: ['Définitif révisable' as const] },
	formePrix: 'Forfaitaire' as const,
	considerationsEnvironnementales: { considerationEnvironnementale: ['Pas de considération environnementale' as const] },
};
const settings = { acheteurSiret: SIRET_REGION, datePublication: '2027-03-01', defaults };

function exported(): DecpMarche {
	return decpFromRegister({ marche: clause.marche, lot: clause.lot, clause, lot_: lot, complement: { marche: clause.marche, lot: '1', codeCPV: '45210000', offresRecues: 4 } }, settings);
}

describe('données essentielles : du registre au fichier publié', () => {
	it('une clause notifiée et son lot étudié donnent une fiche conforme au schéma officiel', () => {
		const marche = exported();
		expect(marche).toMatchObject({
			id: '2026-TRX-014-1',
			acheteur: { id: SIRET_REGION },
			objet: 'Restructuration du lycée Jean-Monnet – lot 1 : Démolition, gros œuvre',
			codeCPV: '45210000',
			offresRecues: 4,
			dureeMois: 12,
			dateNotification: '2027-02-15',
			datePublicationDonnees: '2027-03-01',
			montant: 1250000,
			titulaires: [{ titulaire: { typeIdentifiant: 'SIRET', id: '88443430614252' } }],
			considerationsSociales: { considerationSociale: ['Clause sociale', 'Critère social'] },
		});
		expect(officialSchemaErrors(buildDecpFile([marche]))).toEqual([]);
	});

	it('un champ obligatoire que rien ne donne : erreur qui nomme le marché, le lot et chaque champ', () => {
		const run = () => decpFromRegister({ marche: clause.marche, lot: clause.lot, clause, lot_: lot }, { ...settings, defaults: { ...defaults, procedure: undefined } });
		expect(run).toThrow(AnomalyError);
		try {
			run();
		} catch (error) {
			const anomalies = (error as AnomalyError).anomalies;
			expect(anomalies.map((a) => a.champ).sort()).toEqual(['codeCPV', 'offresRecues', 'procedure']);
			expect(anomalies.every((a) => a.ou === 'marché 2026-TRX-014, lot 1' && a.regle === 'decp.champManquant')).toBe(true);
			expect((error as AnomalyError).message).toContain('Marché 2026-TRX-014, lot 1, code CPV : aucune valeur');
		}
	});

	it('un identifiant de plus de 16 caractères est refusé avec la façon de le donner', () => {
		expect(() =>
			decpFromRegister(
				{ marche: '2026-TRAVAUX-LYCEES-014', lot: '12', clause: { ...clause, marche: '2026-TRAVAUX-LYCEES-014', lot: '12' }, complement: { marche: 'x', codeCPV: '45210000', offresRecues: 2 } },
				settings,
			),
		).toThrow(/identifiant du marché \(DECP\).*16/);
	});

	it('considérations sociales : l’étude du lot, sinon le mécanisme de la clause active', () => {
		expect(registerSocialConsiderations(lot, clause)).toEqual(['Clause sociale', 'Critère social']);
		expect(registerSocialConsiderations(undefined, clause)).toEqual(['Clause sociale']);
		expect(registerSocialConsiderations(undefined, { ...clause, mecanisme: 'Marché ou lot réservé aux structures d’insertion par l’activité économique' })).toEqual(['Marché réservé']);
		expect(registerSocialConsiderations({ ...lot, etude: { ...lot.etude!, considerationsSociales: ['Pas de considération sociale'] } }, undefined)).toEqual(['Pas de considération sociale']);
		expect(registerSocialConsiderations(undefined, undefined)).toBeUndefined();
		// Clause sans heures qui ne porte que des engagements : une clause sociale ; sans heures ni engagements, rien.
		expect(registerSocialConsiderations(undefined, { ...clause, heuresDues: 0, mecanisme: 'Actions qualitatives (engagements sans heures d’insertion)' })).toEqual(['Clause sociale']);
		expect(registerSocialConsiderations(undefined, { ...clause, heuresDues: 0 })).toBeUndefined();
	});

	it('durée en mois, identifiant par défaut et rattachement d’une fiche importée à son lot', () => {
		expect(monthsBetween('2027-03-01', '2028-02-29')).toBe(12);
		expect(monthsBetween('2027-03-15', '2028-03-14')).toBe(12);
		expect(monthsBetween('2027-03-01', '2027-03-10')).toBe(1);
		expect(decpIdentifier('2026-TRX-014', 'unique')).toBe('2026-TRX-014');
		expect(lieuFromTerritory('Saint-Aubin-sur-Argent (79)')).toEqual({ code: '79', typeCode: 'Code département' });
		expect(lieuFromTerritory('Niort (79000)')).toEqual({ code: '79000', typeCode: 'Code postal' });
		expect(lieuFromTerritory('Ajaccio (2a)')).toEqual({ code: '2A', typeCode: 'Code département' });
		expect(lieuFromTerritory('Bassin de Niort')).toBeUndefined();
		expect(['Travaux', 'Services', 'Prestations intellectuelles', 'PPP', 'DSP', undefined].map(natureFromRegister)).toEqual(['Marché', 'Marché', 'Marché', 'Marché de partenariat', undefined, undefined]);
		const keyOf = decpKeyIndex([{ marche: '2026-TRX-014', lot: '1' }]);
		expect(keyOf('2026-TRX-014-1')).toMatchObject({ marche: '2026-TRX-014', lot: '1', linked: true });
		expect(keyOf('2026-TRX-014-1').key).toBe('2026trx014/1');
		expect(keyOf('2025FCS0007')).toMatchObject({ marche: '2025FCS0007', lot: 'unique', linked: false });
		expect(keyOf('2025FCS0007').key).toBe('2025fcs0007/unique');
	});
});

describe('le schéma zod et le schéma officiel refusent les mêmes fiches', () => {
	const good = exported();
	const mutations: Array<[string, (m: Record<string, unknown>) => void]> = [
		['considérations sociales absentes', (m) => delete m.considerationsSociales],
		['considération sociale inconnue', (m) => (m.considerationsSociales = { considerationSociale: ['Insertion'] })],
		['liste de considérations vide', (m) => (m.considerationsSociales = { considerationSociale: [] })],
		['considération en double', (m) => (m.considerationsSociales = { considerationSociale: ['Clause sociale', 'Clause sociale'] })],
		['identifiant de 17 caractères', (m) => (m.id = '12345678901234567')],
		['SIRET de l’acheteur de 13 chiffres', (m) => (m.acheteur = { id: '2387000150001' })],
		['durée de 0 mois', (m) => (m.dureeMois = 0)],
		['durée non entière', (m) => (m.dureeMois = 12.5)],
		['montant de 0', (m) => (m.montant = 0)],
		['code CPV de 7 chiffres', (m) => (m.codeCPV = '4521000')],
		['procédure inconnue', (m) => (m.procedure = 'Appel d’offres ouvert')],
		['champ en trop', (m) => (m.heuresInsertion = 420)],
		['titulaire sans type d’identifiant', (m) => (m.titulaires = [{ titulaire: { id: '88443430614252' } }])],
		['date au mauvais format', (m) => (m.dateNotification = '15/02/2027')],
		['taux d’avance de 150 %', (m) => (m.tauxAvance = 1.5)],
		['considérations environnementales absentes', (m) => delete m.considerationsEnvironnementales],
	];
	it.each(mutations)('%s', (_name, mutate) => {
		const bad = structuredClone(good) as unknown as Record<string, unknown>;
		mutate(bad);
		expect(officialSchemaErrors({ marches: { marche: [bad] } })).not.toEqual([]);
		expect(DecpMarcheSchema.safeParse(bad).success).toBe(false);
	});

	it('la fiche de départ passe les deux', () => {
		expect(DecpMarcheSchema.safeParse(good).success).toBe(true);
		expect(officialSchemaErrors({ marches: { marche: [good] } })).toEqual([]);
	});
});

describe('lecture d’un fichier des données essentielles', () => {
	it('JSON coupé, format 1 à plat, enveloppe absente : refusés en entier avec un message français', () => {
		const text = JSON.stringify(buildDecpFile([exported()]));
		expect(() => readDecpFile(text.slice(0, 100), 'decp.json')).toThrow(/Fichier « decp\.json », fichier des données essentielles : JSON illisible/);
		expect(() => readDecpFile(JSON.stringify({ marches: [] }), 'v1.json')).toThrow(/format 1/);
		expect(() => readDecpFile('{}', 'vide.json')).toThrow(/pas d’objet « marches »/);
		const read = readDecpFile(`\uFEFF${JSON.stringify({ marches: { marche: [{ id: 'a' }], 'contrat-concession': [{}, {}] } })}`, 'ok.json');
		expect(read).toEqual({ marches: [{ rang: 1, raw: { id: 'a' } }], concessions: 2 });
	});

	it('deux marchés exportés de même identifiant : erreur', () => {
		expect(() => buildDecpFile([exported(), exported()])).toThrow(/deux marchés exportés portent l’identifiant « 2026-TRX-014-1 »/);
	});
});
