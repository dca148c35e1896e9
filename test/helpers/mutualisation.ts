/**
 * Le titulaire des tests de la mutualisation : deux marchés du même titulaire
 * (heures, dates, facilitateur et acheteur communs), pour le cœur, les nœuds et
 * le bout en bout.
 */
export const POOL_HOLDER = {
	siret: '73282932000074',
	titulaire: 'Bâtiments du Val',
	emailTitulaire: 'contact@batiments-val.example.test',
	heuresDues: 455,
	debutExecution: '2026-01-01',
	finExecution: '2026-12-31',
	facilitateur: 'PLIE du Val d’Argent',
	emailFacilitateur: 'plie@example.test',
	acheteur: 'Direction des lycées',
	emailAcheteur: 'lycees@region.example.test',
	montantHT: 600000,
};
