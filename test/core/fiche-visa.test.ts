import fs from 'node:fs';
import path from 'node:path';

import { AnomalyError, VISA_RULES, checkFiche, parseVisaSettings, rawFicheFromJson, readStudy, renderVisaMessage } from '../../nodes/core';
import type { VisaResult } from '../../nodes/core';
import { studied, validFiche } from '../helpers/fiche-visa';

const settings = parseVisaSettings({});

function check(json: Record<string, unknown>, options: { study?: unknown; settings?: Record<string, unknown> } = {}): VisaResult {
	const study = options.study === undefined ? undefined : readStudy(options.study, 'test');
	return checkFiche(rawFicheFromJson(json, 'élément 1'), options.settings ? parseVisaSettings(options.settings) : settings, study);
}

const rules = (r: VisaResult) => r.anomalies.map((a) => `${a.effet} ${a.regle}`);

describe('fiche visa : CCAG 2021 et marchés réservés sous leurs graphies usuelles', () => {
	it.each([
		['CCAG-Travaux', 'travaux'],
		['CCAG Travaux 2021', 'travaux'],
		['ccag-t', 'travaux'],
		['CCAG des marchés publics de travaux', 'travaux'],
		['CCAG-FCS 2021', 'fcs'],
		['FCS', 'fcs'],
		['CCAG fournitures courantes et services', 'fcs'],
		['CCAG-PI', 'pi'],
		['CCAG PI 2021', 'pi'],
		['CCAG prestations intellectuelles', 'pi'],
		['CCAG-TIC 2021', 'tic'],
		['CCAG techniques de l’information et de la communication', 'tic'],
		['CCAG-MOE', 'moe'],
		['CCAG maîtrise d’œuvre 2021', 'moe'],
		['CCAG-MI 2021', 'mi'],
		['CCAG marchés industriels', 'mi'],
	])('« %s » : %s', (saisie, attendu) => {
		expect(check({ ...validFiche(), ccag: saisie }).fiche.ccag).toBe(attendu);
	});

	it('marché réservé aux opérateurs employant des personnes détenues (L2113-13-1) reconnu, valeur DECP « Marché réservé »', () => {
		const json = validFiche();
		const lots = json.lots as Array<Record<string, unknown>>;
		lots[2] = { ...lots[2], mecanisme: 'marché réservé détenus' };
		const r = check(json);
		expect(r.fiche.lots[2].mecanismes).toEqual(['marcheReserveDetenus']);
		expect(r.decpAttendue).toContain('Marché réservé');
	});
});

describe('fiche visa : contrôle', () => {
	it('vise une fiche complète et cohérente', () => {
		const r = check(validFiche());
		expect(r.anomalies).toEqual([]);
		expect(r.decision).toBe('VISÉ');
		expect(r.resume).toBe('Fiche visa 2026-TRX-014 «\u00a0Construction du lycée des métiers du bâtiment de Saint-Aubin-sur-Argent\u00a0» : visée.');
		expect(r.fiche).toMatchObject({ nature: 'travaux', ccag: 'travaux', procedure: 'procedureAdaptee', alloti: true, considerationsDecp: ['Clause sociale'], dateLancement: '2026-12-01' });
		expect(r.fiche.lots.map((l) => [l.numero, l.mecanismes, l.heures])).toEqual([
			['1', ['clauseExecution'], 420],
			['2', ['clauseExecution'], 280],
			['8', ['aucune'], undefined],
		]);
		expect(r.decpAttendue).toEqual(['Clause sociale']);
		expect(r.montantTotalHT).toBe(962000);
		expect(r.seuilEuropeen).toBe(5404000);
	});

	it('lit les montants « 1 234,50 € », les dates en texte et les numéros de série Excel', () => {
		const json = validFiche();
		json.montantEstimeHT = '962 000,00 €';
		json.dateLancement = '1er décembre 2026';
		json.dateEtude = 46310; // 15/10/2026
		json.dateFiche = '02/11/2026';
		(json.lots as Array<Record<string, unknown>>)[0].montantHT = '504\u00a0000 €';
		const r = check(json);
		expect(r.decision).toBe('VISÉ');
		expect(r.fiche).toMatchObject({ montantEstimeHT: 962000, dateLancement: '2026-12-01', dateEtude: '2026-10-15', dateFiche: '2026-11-02' });
	});

	it('champs manquants et valeurs illisibles : à compléter, chaque champ nommé', () => {
		const json = validFiche();
		delete json.objet;
		json.montantEstimeHT = '962 000 euros environ';
		json.dateLancement = '31/02/2026';
		json.cpv = '4521';
		json.emailService = 'lycees at region';
		const r = check(json);
		expect(r.decision).toBe('À COMPLÉTER');
		const byField = Object.fromEntries(r.anomalies.map((a) => [a.champ, a]));
		expect(byField.objet).toMatchObject({ regle: 'visa.champManquant', effet: 'À COMPLÉTER', libelle: 'Objet du marché', message: 'champ obligatoire non renseigné' });
		expect(byField.montantEstimeHT).toMatchObject({ regle: 'visa.valeurIllisible', message: '«\u00a0962 000 euros environ\u00a0» n\'est pas un nombre lisible' });
		expect(byField.dateLancement.message).toBe('«\u00a031/02/2026\u00a0» n\'est pas une date lisible');
		expect(byField.cpv.correction).toContain('8 chiffres');
		expect(byField.emailService.regle).toBe('visa.valeurIllisible');
		expect(r.anomalies.every((a) => a.ou === 'fiche visa 2026-TRX-014 (élément 1)')).toBe(true);
	});

	it('procédure : sans publicité au-delà de 40 000 € et procédure adaptée au-delà du seuil européen sont refusées', () => {
		const json = validFiche();
		Object.assign(json, { nature: 'services', ccag: 'CCAG-FCS', cpv: '90919200', procedure: 'MAPA', montantEstimeHT: 300000 });
		json.lots = [{ numero: 'unique', intitule: 'Nettoyage', montantHT: 300000, mecanisme: 'clauseExecution', heures: 500 }];
		json.alloti = 'non';
		json.motifLotUnique = 'Prestation unique sur un seul site';
		const mapa = check(json);
		expect(mapa.decision).toBe('REFUSÉ');
		const refusal = mapa.anomalies.find((a) => a.regle === 'procedure.mapaAuDelaSeuilUe')!;
		expect(refusal.message).toBe('procédure adaptée pour 300\u00a0000,00\u00a0€ HT, au-delà du seuil européen (216\u00a0000,00\u00a0€ HT)');
		expect(mapa.seuilEuropeen).toBe(216000);

		Object.assign(json, { procedure: 'appel d’offres ouvert' });
		expect(check(json).decision).toBe('VISÉ');

		Object.assign(json, { procedure: 'gré à gré', montantEstimeHT: 50000 });
		json.lots = [{ numero: 'unique', intitule: 'Nettoyage', montantHT: 50000, mecanisme: 'aucune', justificationAbsence: 'Sous le seuil de l’étude' }];
		Object.assign(json, { considerationsDecp: 'Pas de considération sociale', etudeFaisabilite: 'non', dateEtude: '' });
		// Services à 50 000 € HT lancés après le 1er avril 2026 : sous le seuil de dispense de 60 000 € HT.
		expect(check(json).decision).toBe('VISÉ');
		// Lancés avant le 1er avril 2026 : seuil de 40 000 € HT, refus.
		const before = check({ ...json, dateFiche: '2026-02-02', dateLancement: '2026-03-02', dateNotification: '2026-05-15', dateEtude: '' });
		expect(rules(before)).toEqual(['REFUSÉ procedure.sansPublicite', 'observation etude.absente']);
		expect(before.anomalies[0].message).toBe('marché sans publicité ni mise en concurrence pour 50\u00a0000,00\u00a0€ HT, au-delà du seuil de dispense des fournitures et services (40\u00a0000,00\u00a0€ HT pour un lancement le 02/03/2026)');
		// Le seuil et sa date sont des paramètres.
		expect(check(json, { settings: { dateSeuilDispenseFournituresServices: '2027-01-01' } }).decision).toBe('REFUSÉ');
		expect(check({ ...json, dateFiche: '2026-02-02', dateLancement: '2026-03-02', dateNotification: '2026-05-15', dateEtude: '' }, { settings: { seuilDispenseFournituresServicesAvant: 55000 } }).decision).toBe('VISÉ');
		// 60 000 € HT tout juste : au-delà (la dispense vaut strictement sous le seuil).
		Object.assign(json, { montantEstimeHT: 60000 });
		(json.lots as Array<Record<string, unknown>>)[0].montantHT = 60000;
		expect(rules(check(json))).toEqual(['REFUSÉ procedure.sansPublicite', 'observation etude.absente']);
	});

	it('travaux de 80 000 € HT sans publicité : sous le seuil de dispense des travaux (100 000 € HT), jamais refusés pour cela', () => {
		const json = validFiche();
		Object.assign(json, { procedure: 'gré à gré', montantEstimeHT: 80000, alloti: 'non', motifLotUnique: 'Intervention unique', etudeFaisabilite: 'non', dateEtude: '', considerationsDecp: 'Pas de considération sociale' });
		json.lots = [{ numero: 'unique', intitule: 'Réfection de la toiture du gymnase', montantHT: 80000, mecanisme: 'aucune', justificationAbsence: 'Sous le seuil de l’étude' }];
		const r = check(json);
		expect(r.anomalies.filter((a) => (a.regle ?? '').startsWith('procedure.'))).toEqual([]);
		expect(r.decision).toBe('VISÉ');
		// Au-delà de 100 000 € HT, ou avec un seuil des travaux abaissé par paramètre : refus.
		expect(rules(check(json, { settings: { seuilDispenseTravaux: 70000 } }))).toContain('REFUSÉ procedure.sansPublicite');
	});

	it('marché d’insertion de 300 000 € HT en procédure adaptée (R2123-1 3°) : visé, seuil européen des services spécifiques (750 000 € HT)', () => {
		const json = validFiche();
		Object.assign(json, { nature: 'services', ccag: 'CCAG-FCS', cpv: '77310000', procedure: 'MAPA', montantEstimeHT: 300000, alloti: 'non', motifLotUnique: 'Chantier unique d’insertion', considerationsDecp: 'Clause sociale' });
		json.lots = [{ numero: 'unique', intitule: 'Entretien des espaces verts des lycées par un chantier d’insertion', montantHT: 300000, mecanisme: 'Marché d’insertion (R2123-1)', heures: 4000 }];
		const r = check(json);
		expect(rules(r)).toEqual([]);
		expect(r.decision).toBe('VISÉ');
		expect(r.seuilEuropeen).toBe(750000);
		// Le marché d'insertion proposé en option par l'étude n'est pas un écart.
		const study = [{ marche: '2026-TRX-014', lot: 'unique', faisabilite: { decision: 'clause', mecanismes: [{ code: 'clauseExecution', option: false }, { code: 'marcheInsertion', option: true }], heuresRetenues: 4000, facilitateur: { nom: 'PLIE du Val d’Argent' }, dateEtude: '2026-10-15' } }];
		expect(check(json, { study }).anomalies.filter((a) => a.regle === 'etude.ecart')).toEqual([]);
		// Au-delà de 750 000 € HT, la procédure adaptée est refusée.
		Object.assign(json, { montantEstimeHT: 800000 });
		(json.lots as Array<Record<string, unknown>>)[0].montantHT = 800000;
		expect(rules(check(json))).toContain('REFUSÉ procedure.mapaAuDelaSeuilUe');
	});

	it('loi Climat (L2112-2-1) : services de 300 000 € HT avec le seul critère social après le 21 août 2026, refusés ; marché réservé seul de même ; exemption justifiée, observation', () => {
		const json = validFiche();
		Object.assign(json, { nature: 'services', ccag: 'CCAG-FCS', cpv: '90911200', procedure: 'appel d’offres ouvert', montantEstimeHT: 300000, alloti: 'non', motifLotUnique: 'Un seul site', considerationsDecp: 'Critère social' });
		json.lots = [{ numero: 'unique', intitule: 'Nettoyage de l’hôtel de Région', montantHT: 300000, mecanisme: 'Critère social d’attribution (R2152-7)' }];
		const r = check(json);
		expect(r.decision).toBe('REFUSÉ');
		expect(rules(r)).toEqual(['REFUSÉ loiClimat.conditionExecution']);
		expect(r.anomalies[0].message).toBe('marché de 300\u00a0000,00\u00a0€ HT, au-delà du seuil européen (216\u00a0000,00\u00a0€ HT) : Critère social d’attribution (R2152-7) seul, sans condition d’exécution sociale');
		expect(r.anomalies[0].correction).toContain('L2112-2-1');
		// Avant la date d'application (paramètre) : à compléter.
		expect(rules(check(json, { settings: { dateLoiClimat: '2027-01-01' } }))).toEqual(['À COMPLÉTER loiClimat.conditionExecution']);
		// Marché réservé seul : la réservation n'est pas une condition d'exécution.
		Object.assign(json, { considerationsDecp: 'Marché réservé' });
		(json.lots as Array<Record<string, unknown>>)[0].mecanisme = 'Marché réservé SIAE (L2113-13)';
		expect(rules(check(json))).toEqual(['REFUSÉ loiClimat.conditionExecution']);
		// Des motifs sans le cas d'exemption de l'article : à compléter.
		const lot = (json.lots as Array<Record<string, unknown>>)[0];
		lot.justificationAbsence = 'Prestation d’une journée, sans recrutement possible dans le délai';
		const sansCas = check(json);
		expect(rules(sansCas)).toEqual(['À COMPLÉTER loiClimat.casExemption']);
		expect(sansCas.anomalies[0]).toMatchObject({ champ: 'lots[0].casExemption', message: 'marché au-delà du seuil européen, Marché réservé SIAE (L2113-13) sans condition d’exécution sociale : motifs donnés sans le cas d’exemption' });
		expect(sansCas.anomalies[0].correction).toContain('« Lien insuffisant avec l’objet du marché »');
		// Le cas, sans motifs consignés : refusé comme sans exemption.
		delete lot.justificationAbsence;
		lot.casExemption = 'Concurrence restreinte ou exécution rendue techniquement ou économiquement difficile';
		expect(rules(check(json))).toEqual(['REFUSÉ loiClimat.conditionExecution']);
		// Le cas et ses motifs : observation, à reprendre dans les documents.
		lot.justificationAbsence = 'Prestation d’une journée, sans recrutement possible dans le délai';
		const exempte = check(json);
		expect(rules(exempte)).toEqual(['observation loiClimat.exemption']);
		expect(exempte.anomalies[0].message).toBe('marché au-delà du seuil européen, Marché réservé SIAE (L2113-13) sans condition d’exécution sociale : exemption de l’article L2112-2-1 (concurrence restreinte ou exécution rendue techniquement ou économiquement difficile), motifs consignés');
		expect(exempte.decision).toBe('VISÉ');
		// Le cas se lit aussi sous une forme courte (synonyme).
		lot.casExemption = 'lien insuffisant';
		expect(check(json).anomalies[0].message).toContain('(lien insuffisant avec l’objet du marché)');
		lot.casExemption = 'n’importe quoi';
		// Un cas illisible : signalé, et l'exemption n'est pas tenue pour acquise.
		expect(rules(check(json))).toEqual(['À COMPLÉTER visa.valeurIllisible', 'À COMPLÉTER loiClimat.casExemption']);
		// Avec la clause d'insertion en plus du critère : visé.
		Object.assign(json, { considerationsDecp: 'Clause sociale, Critère social' });
		json.lots = [{ numero: 'unique', intitule: 'Nettoyage de l’hôtel de Région', montantHT: 300000, mecanisme: 'Clause d’insertion en heures (L2112-2)', mecanismeComplementaire: 'Critère social d’attribution (R2152-7)', heures: 500 }];
		expect(check(json).decision).toBe('VISÉ');
	});

	it('la somme des lots doit égaler le montant estimé (tolérance paramétrable)', () => {
		const json = validFiche();
		json.montantEstimeHT = 960000;
		const r = check(json);
		expect(rules(r)).toEqual(['À COMPLÉTER lots.somme']);
		expect(r.anomalies[0].message).toBe(
			'la somme des lots (962\u00a0000,00\u00a0€ HT) diffère du montant estimé total (960\u00a0000,00\u00a0€ HT) de 2\u00a0000,00\u00a0€',
		);
		expect(check(json, { settings: { toleranceMontant: 2000 } }).decision).toBe('VISÉ');
	});

	it('clause en heures : facilitateur exigé (refus), heures exigées ; pas d’heures sans clause', () => {
		const json = validFiche();
		delete json.facilitateur;
		const lots = json.lots as Array<Record<string, unknown>>;
		delete lots[1].heures;
		lots[2].heures = 12;
		const r = check(json);
		expect(r.decision).toBe('REFUSÉ');
		expect(rules(r)).toEqual([
			'REFUSÉ clause.sansFacilitateur',
			'REFUSÉ clause.sansFacilitateur',
			'À COMPLÉTER clause.sansHeures',
			'À COMPLÉTER clause.heuresSansClause',
		]);
		expect(r.anomalies[2].ou).toBe('lot 2 (ligne 2 des lots)');
		// Un facilitateur porté par le lot suffit.
		lots[0].facilitateur = 'PLIE du Val d’Argent';
		expect(check(json).anomalies.filter((a) => a.regle === 'clause.sansFacilitateur').map((a) => a.ou)).toEqual(['lot 2 (ligne 2 des lots)']);
	});

	it('absence de clause : justification exigée ; au-delà du seuil européen, refus (loi Climat) après son entrée en vigueur', () => {
		const json = validFiche();
		const lots = json.lots as Array<Record<string, unknown>>;
		delete lots[2].justificationAbsence;
		expect(rules(check(json))).toEqual(['À COMPLÉTER absence.sansJustification']);

		Object.assign(json, { nature: 'services', ccag: 'CCAG-FCS', cpv: '90919200', procedure: 'appel d’offres' });
		const eu = check(json);
		expect(eu.decision).toBe('REFUSÉ');
		expect(eu.anomalies[0]).toMatchObject({ regle: 'loiClimat.social', effet: 'REFUSÉ', champ: 'lots[2].justificationAbsence' });
		expect(eu.anomalies[0].message).toContain('au-delà du seuil européen (216\u00a0000,00\u00a0€ HT)');
		// Avant l'entrée en vigueur (paramètre), la même lacune est seulement à compléter.
		Object.assign(json, { dateLancement: '2026-06-01', dateFiche: '2026-05-01', dateEtude: '2026-04-01', dateNotification: '2026-09-01' });
		expect(rules(check(json))).toEqual(['À COMPLÉTER loiClimat.social']);
		// Justifiée : une observation, la fiche est visée.
		lots[2].justificationAbsence = 'Fourniture et pose de panneaux : main-d’œuvre marginale';
		expect(rules(check(json))).toEqual(['observation loiClimat.socialJustifie']);
		// Après l'entrée en vigueur, les motifs ne suffisent plus : le cas d'exemption de l'article est demandé.
		Object.assign(json, { dateLancement: '2026-10-01', dateFiche: '2026-09-01', dateEtude: '2026-08-01', dateNotification: '2027-01-01' });
		expect(rules(check(json))).toEqual(['À COMPLÉTER loiClimat.casExemption']);
		lots[2].casExemption = 'Lien insuffisant avec l’objet du marché';
		expect(rules(check(json))).toEqual(['observation loiClimat.exemption']);
	});

	it('étude de faisabilité absente au-delà de 90 000 € HT : refus ; en deçà, une observation', () => {
		const json = validFiche();
		Object.assign(json, { etudeFaisabilite: 'non', dateEtude: '' });
		const r = check(json);
		expect(r.decision).toBe('REFUSÉ');
		expect(r.anomalies[0].regle).toBe('etude.absente');
		expect(r.anomalies[0].cellule).toBeUndefined();
		expect(r.anomalies[0].message).toBe('pas d’étude de faisabilité pour un marché de 962\u00a0000,00\u00a0€ HT (seuil de l’étude : 90\u00a0000,00\u00a0€ HT)');
		expect(check(json, { settings: { seuilEtude: 1_000_000 } }).anomalies.map((a) => a.effet)).toEqual(['observation']);
		Object.assign(json, { etudeFaisabilite: 'oui' });
		expect(rules(check(json))).toEqual(['À COMPLÉTER etude.dateManquante']);
	});

	it('dates incohérentes', () => {
		const json = validFiche();
		Object.assign(json, { dateEtude: '2026-12-10', dateNotification: '2026-11-30', dateFiche: '2026-12-05' });
		expect(rules(check(json))).toEqual([
			'À COMPLÉTER dates.etudeApresLancement',
			'À COMPLÉTER dates.notificationAvantLancement',
			'observation dates.ficheApresLancement',
		]);
	});

	it('contenu du CCAP (CCAG 2021, art. 16.1), pénalités et valeur DECP', () => {
		const json = validFiche();
		Object.assign(json, { ccapPublics: 'non', ccapVolume: '', penalitesCcap: 'non', considerationsDecp: 'Clause sociale, Critère social' });
		const r = check(json);
		expect(rules(r)).toEqual(['À COMPLÉTER ccap16.contenu', 'À COMPLÉTER ccap16.contenu', 'À COMPLÉTER penalites.absentes', 'À COMPLÉTER decp.incoherente']);
		expect(r.anomalies[0].message).toBe('le CCAP doit préciser les publics éligibles (réponse : « non »)');
		expect(r.anomalies[3].correction).toBe('Déclarez « Clause sociale » (valeurs DECP des mécanismes retenus).');
		// Un critère social ajouté au lot 1 rend « Clause sociale, Critère social » juste.
		(json.lots as Array<Record<string, unknown>>)[0].mecanismeComplementaire = 'critère social';
		expect(rules(check(json))).not.toContain('À COMPLÉTER decp.incoherente');
	});

	it('environnement (loi Climat) : condition d’exécution (L2112-2) et critère (L2152-7) exigés, l’un ne remplace pas l’autre, une justification ne lève rien ; avant la date, absence justifiée observée', () => {
		const json = validFiche();
		// Le critère seul : la condition d'exécution manque.
		Object.assign(json, { environnementCondition: 'non', environnementCritere: 'oui' });
		const criterionOnly = check(json);
		expect(rules(criterionOnly)).toEqual(['REFUSÉ environnement.conditionExecution']);
		expect(criterionOnly.anomalies[0]).toMatchObject({ champ: 'environnementCondition', message: 'aucune condition d’exécution environnementale : le critère d’attribution environnemental ne la remplace pas' });
		// La condition seule : le critère manque.
		Object.assign(json, { environnementCondition: 'oui', environnementCritere: 'non' });
		expect(rules(check(json))).toEqual(['REFUSÉ environnement.critere']);
		// Sans mise en concurrence (marché sans publicité sous le seuil de dispense), pas de critère à exiger.
		Object.assign(json, { procedure: 'sans publicité', montantEstimeHT: 50000, nature: 'services', ccag: 'CCAG-FCS', cpv: '90919200', alloti: 'non', motifLotUnique: 'Un seul site', etudeFaisabilite: 'non', dateEtude: '' });
		json.lots = [{ numero: 'unique', intitule: 'Nettoyage', montantHT: 50000, mecanisme: 'Aucune considération sociale', justificationAbsence: 'Prestation ponctuelle' }];
		expect(rules(check(json)).filter((r) => r.includes('environnement'))).toEqual([]);
		// Ni l'un ni l'autre, même justifiés : deux refus, la justification ne lève pas l'obligation.
		const both = validFiche();
		Object.assign(both, { environnementCondition: 'non', environnementCritere: 'non', environnementDescription: 'Prestation dématérialisée sans impact significatif' });
		const refused = check(both);
		expect(rules(refused)).toEqual(['REFUSÉ environnement.conditionExecution', 'REFUSÉ environnement.critere']);
		expect(refused.anomalies[0].correction).toContain('La justification donnée ne lève pas l’obligation.');
		// Avant la date d'application (paramètre) : l'absence justifiée est observée, sans justification à compléter.
		expect(rules(check(both, { settings: { dateLoiClimat: '2027-01-01' } }))).toEqual(['observation environnement.justifiee']);
		Object.assign(both, { environnementDescription: '' });
		expect(rules(check(both, { settings: { dateLoiClimat: '2027-01-01' } }))).toEqual(['À COMPLÉTER environnement.absente']);
		// Une seule des deux réponses « non » avant la date : rien à redire.
		Object.assign(both, { environnementCritere: 'oui' });
		expect(rules(check(both, { settings: { dateLoiClimat: '2027-01-01' } }))).toEqual([]);
	});

	it('allotissement : motif exigé et cohérence avec le nombre de lots', () => {
		const json = validFiche();
		json.alloti = 'non';
		expect(rules(check(json))).toEqual(['À COMPLÉTER allotissement.motif', 'À COMPLÉTER allotissement.incoherent']);
		json.lots = [];
		expect(rules(check(json))).toContain('À COMPLÉTER lots.aucun');
	});

	it('cohérence avec l’étude de faisabilité : mêmes lots, mêmes heures', () => {
		const json = validFiche();
		const study = [studied('1', 420), studied('2', 300), studied('3', 490), studied('8', 0, 'pasDeClause'), { error: 'lot 9 illisible', details: { anomalies: [] } }];
		const r = check(json, { study });
		expect(rules(r)).toEqual(['À COMPLÉTER etude.heures', 'À COMPLÉTER etude.lotAbsentFiche']);
		expect(r.anomalies[0].message).toBe('280\u00a0h dans la fiche, 300\u00a0h au calibrage de l’étude');
		expect(r.anomalies[1].message).toBe('le lot 3 de l’étude de faisabilité n’est pas dans la fiche');
		expect(r.etudeFournie).toBe(true);

		// L'étude recommandait une clause pour le lot 8 : écart justifié, simple observation.
		const r2 = check(json, { study: [studied('1', 420), studied('2', 280), studied('8', 40)] });
		expect(rules(r2)).toEqual(['observation etude.ecart']);
		// Lot de la fiche absent de l'étude ; les lots d'un autre marché sont ignorés.
		const other = { ...studied('4', 455), marche: '2026-SRV-031' };
		const r3 = check(json, { study: [studied('1', 420), studied('2', 280), other] });
		expect(rules(r3)).toEqual(['À COMPLÉTER etude.lotAbsentEtude']);
	});

	it('sortie du seul nœud « Calibrage des heures » : acceptée, les heures comparées', () => {
		const calibrated = (lot: string, heures: number) => ({ marche: '2026-TRX-014', lot, intitule: `Lot ${lot}`, montantHT: 100000, calibrage: { methode: 'tauxMainOeuvre', heures, plancher: 70 } });
		const study = readStudy([calibrated('1', 420), calibrated('2', 300), calibrated('8', 0)], 'paramètre');
		expect(study).toEqual([
			{ marche: '2026-TRX-014', lot: '1', mecanismes: [], heures: 420 },
			{ marche: '2026-TRX-014', lot: '2', mecanismes: [], heures: 300 },
			{ marche: '2026-TRX-014', lot: '8', mecanismes: [], heures: 0 },
		]);
		const r = check(validFiche(), { study: [calibrated('1', 420), calibrated('2', 300), calibrated('8', 0)] });
		// Lot 2 : 280 h contre 300 h ; lot 8 sans clause : ni heures ni mécanisme comparés.
		expect(rules(r)).toEqual(['À COMPLÉTER etude.heures']);
		expect(r.anomalies[0]).toMatchObject({ champ: 'lots[1].heures', message: '280\u00a0h dans la fiche, 300\u00a0h au calibrage de l’étude' });
		expect(rules(check(validFiche(), { study: [calibrated('1', 420), calibrated('2', 280), calibrated('8', 0)] }))).toEqual([]);
	});

	it('date et facilitateur de l’étude confrontés à la fiche ; étude postérieure à la fiche', () => {
		const study = () => [studied('1', 420), studied('2', 280), studied('8', 0, 'pasDeClause')];
		expect(rules(check(validFiche(), { study: study() }))).toEqual([]);

		const otherDate = validFiche();
		otherDate.dateEtude = '2026-09-30';
		const r = check(otherDate, { study: study() });
		expect(rules(r)).toEqual(['À COMPLÉTER etude.date']);
		expect(r.anomalies[0]).toMatchObject({ champ: 'dateEtude', message: 'étude du 30/09/2026 dans la fiche, du 15/10/2026 dans l’étude fournie' });

		const later = study().map((e) => ({ ...e, faisabilite: { ...e.faisabilite, dateEtude: '2026-11-05' } }));
		const lateFiche = validFiche();
		lateFiche.dateEtude = '2026-11-05';
		const r2 = check(lateFiche, { study: later });
		expect(rules(r2)).toEqual(['À COMPLÉTER etude.apresFiche']);
		expect(r2.anomalies[0]).toMatchObject({ champ: 'dateFiche', message: 'étude fournie datée du 05/11/2026, après la fiche (02/11/2026)' });

		const otherFacilitator = validFiche();
		otherFacilitator.facilitateur = 'Maison de l’emploi du Bocage';
		const r3 = check(otherFacilitator, { study: study() });
		expect(rules(r3)).toEqual(['observation etude.facilitateur', 'observation etude.facilitateur']);
		expect(r3.anomalies[0]).toMatchObject({ message: '«\u00a0Maison de l’emploi du Bocage\u00a0» dans la fiche, «\u00a0PLIE du Val d’Argent\u00a0» dans l’étude' });
	});

	it('l’étude recommande clause et critère, la fiche ne garde que le critère : à compléter (observation si justifié)', () => {
		const both = (lot: string, heures: number) => {
			const e = studied(lot, heures);
			e.faisabilite.mecanismes = [{ code: 'clauseExecution', option: false }, { code: 'critereAttribution', option: false }];
			return e;
		};
		const json = validFiche();
		const lots = json.lots as Array<Record<string, unknown>>;
		Object.assign(lots[0], { mecanisme: 'critère social', heures: undefined });
		const study = [both('1', 420), studied('2', 280), studied('8', 0, 'pasDeClause')];
		const r = check(json, { study });
		expect(rules(r).filter((x) => x.includes('etude.'))).toEqual(['À COMPLÉTER etude.clauseManquante']);
		expect(r.anomalies.find((a) => a.regle === 'etude.clauseManquante')).toMatchObject({
			champ: 'lots[0].mecanisme',
			message: 'l’étude recommande la clause d’insertion et le critère social ; la fiche ne retient que le critère',
			correction: 'Retenez aussi la clause d’insertion (420\u00a0h au calibrage), ou justifiez l’écart dans « Justification de l’absence de clause ».',
		});
		lots[0].justificationAbsence = 'Chantier de 3 mois : le critère suffit, avis de la mission clauses sociales du 20/10/2026';
		expect(rules(check(json, { study })).filter((x) => x.includes('etude.'))).toEqual(['observation etude.ecart']);
	});

	it('un résultat d’étude d’une autre forme est une erreur qui dit quoi passer', () => {
		expect(() => readStudy([{ lot: '1', heures: 12 }], 'paramètre')).toThrow(AnomalyError);
		expect(() => readStudy('[{"lot": ', 'paramètre')).toThrow(/JSON est illisible/);
		expect(readStudy('', 'paramètre')).toEqual([]);
	});

	it('le courriel de décision échappe les saisies et liste les points à reprendre', () => {
		const json = validFiche();
		json.objet = 'Lycée <script>alert(1)</script>';
		json.montantEstimeHT = 1;
		const r = check(json);
		const mail = renderVisaMessage(r, { signature: 'Service des marchés\n05 49 00 00 00', fichierAnnote: 'fiche (annotée).xlsx' });
		expect(mail.objet).toBe('Fiche visa 2026-TRX-014 : À COMPLÉTER – Lycée <script>alert(1)</script>');
		expect(mail.html).not.toContain('<script>');
		expect(mail.html).toContain('&lt;script&gt;');
		expect(mail.texte).toContain('Points à compléter :\n- montant estimé HT : la somme des lots');
		expect(mail.texte).toContain('Copie annotée jointe : fiche (annotée).xlsx');
		expect(mail.html).toContain('Service des marchés<br>05 49 00 00 00');
	});

	it('chaque règle employée est décrite dans le catalogue des règles', () => {
		const source = fs.readFileSync(path.join(__dirname, '../../nodes/core/fiche-visa.ts'), 'utf8');
		const used = [...source.matchAll(/c\.add\(\s*'([a-zA-Z0-9.]+)'/g)].map((m) => m[1]);
		expect(used.length).toBeGreaterThan(25);
		for (const code of used) expect(Object.keys(VISA_RULES)).toContain(code);
		// La page du nœud (docs/noeuds/fiche-visa.md) documente chaque règle (code, sens, effet, fondement) ;
		// elle suit la typographie française (espaces insécables avant « : ; ? ! »), d'où la normalisation.
		const page = fs.readFileSync(path.join(__dirname, '../../docs/noeuds/fiche-visa.md'), 'utf8').replace(/[\u00a0\u202f]/g, ' ');
		for (const [code, rule] of Object.entries(VISA_RULES)) expect(page).toContain(`| \`${code}\` | ${rule.sens} | ${rule.effet} |`);
	});
});
