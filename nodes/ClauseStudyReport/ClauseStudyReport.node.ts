import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import type { StudyReportRow } from '../adapters';
import { buildModelClausesDocx, buildProgrammeReview, buildStudyReport } from '../adapters';
import type { Anomaly, CalibrationResult, FeasibilityResult } from '../core';
import { COMMITMENT_DEFAULTS, MODEL_CLAUSE_LABELS, ModelClauseSettingsSchema, buildModelClauses, parseDecimal, parseProgrammeReviewSettings, parseSettings, reviewProgramme, studySummaryHtml, studySummaryText, studyTotals } from '../core';
import { isUpstreamError, toNodeError } from '../shared/items';

function text(value: unknown): string | undefined {
	if (typeof value === 'number') return String(value);
	return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function toRow(item: IDataObject): StudyReportRow {
	// Un lot en échec en amont porte ses données dans details.donnees.
	const failed = isUpstreamError(item);
	const details = (item.details ?? {}) as IDataObject;
	const json = failed ? ((details.donnees ?? {}) as IDataObject) : item;
	const calibrage = json.calibrage as unknown as CalibrationResult | undefined;
	const faisabilite = json.faisabilite as unknown as FeasibilityResult | undefined;
	return {
		marche: text(json.marche),
		objet: text(json.objet),
		lot: text(json.lot),
		intitule: text(json.intitule),
		nature: text(json.nature),
		montantHT: calibrage?.parametres?.montantHT?.valeur ?? parseDecimal(json.montantHT),
		dureeMois: parseDecimal(json.dureeMois),
		lieuExecution: text(json.lieuExecution),
		calibrage: calibrage && typeof calibrage.heures === 'number' ? calibrage : undefined,
		faisabilite: faisabilite && typeof faisabilite.decision === 'string' ? faisabilite : undefined,
		erreur: failed ? text(item.error) : undefined,
		anomalies: failed ? (details.anomalies as unknown as Anomaly[]) : undefined,
	};
}

function safeFilePart(value: string): string {
	return value.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
}

export class ClauseStudyReport implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Rapport d’étude des clauses (Excel)',
		name: 'clauseStudyReport',
		icon: { light: 'file:clauseStudyReport.svg', dark: 'file:clauseStudyReport.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: 'Un classeur pour tous les lots',
		description:
			'Rassemble les lots étudiés et calibrés dans un classeur Excel à joindre au dossier de consultation, avec une synthèse pour le courriel',
		defaults: { name: 'Rapport de la consultation' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [
			{
				displayName: 'Titre',
				name: 'titre',
				type: 'string',
				default: 'Étude des clauses sociales d’insertion',
				description: 'Titre porté en tête du classeur',
			},
			{
				displayName: 'Collectivité',
				name: 'region',
				type: 'string',
				default: '',
				placeholder: 'Région Val-d’Argent',
			},
			{
				displayName: 'Nom du fichier',
				name: 'nomFichier',
				type: 'string',
				default: '',
				placeholder: 'etude-clauses-2026-TRX-014.xlsx',
				description: 'Vide : « etude-clauses-MARCHÉ-DATE.xlsx »',
			},
			{
				displayName: 'Champ binaire de sortie',
				name: 'binaryPropertyName',
				type: 'string',
				default: 'data',
				required: true,
				description: 'Nom du champ binaire qui portera le classeur',
			},
			{
				displayName: 'Revue annuelle de la programmation',
				name: 'revueProgrammation',
				type: 'boolean',
				default: false,
				description: 'Produire aussi le portefeuille de la programmation de l’année : considérations à porter par marché, heures et charge par facilitateur, marchés au-delà du seuil européen sans condition d’exécution sociale',
			},
			{
				displayName: 'Heures accompagnées par ETP de facilitateur',
				name: 'heuresParEtpFacilitateur',
				type: 'number',
				default: 109091,
				displayOptions: { show: { revueProgrammation: [true] } },
				description: 'Charge d’un facilitateur : 600 000 h par an pour 5,5 ETP à la Maison de l’emploi de Toulouse Métropole (Villes et Territoires Languedoc-Roussillon, fiche n° 8 « clauses sociales », 2016)',
			},
			{
				displayName: 'Champ binaire de la revue',
				name: 'binaryRevue',
				type: 'string',
				default: 'revue',
				required: true,
				displayOptions: { show: { revueProgrammation: [true] } },
			},
			{
				displayName: 'Clauses types du dossier de consultation (Word)',
				name: 'clausesTypes',
				type: 'boolean',
				default: false,
				description: 'Produire aussi un document Word modifiable : pour chaque mécanisme recommandé, l’article du CCAP, le paragraphe du règlement de la consultation et, pour un critère d’attribution, son annexe de notation, préremplis avec les heures et le facilitateur de l’étude',
			},
			{
				displayName: 'Pénalité par heure non réalisée (€ HT)',
				name: 'penaliteHeure',
				type: 'number',
				default: 60,
				displayOptions: { show: { clausesTypes: [true] } },
			},
			{
				displayName: 'Pénalité par jour de retard du relevé (€ HT)',
				name: 'penaliteRetardReleve',
				type: 'number',
				default: 100,
				displayOptions: { show: { clausesTypes: [true] } },
			},
			{
				displayName: 'Pénalité par jour de retard du bilan (€ HT)',
				name: 'penaliteRetardBilan',
				type: 'number',
				default: 300,
				displayOptions: { show: { clausesTypes: [true] } },
			},
			{
				displayName: 'Plafond des pénalités (% du montant HT)',
				name: 'plafondPenalites',
				type: 'number',
				default: 0,
				description: '0 : aucun plafond écrit dans l’article du CCAP',
				displayOptions: { show: { clausesTypes: [true] } },
			},
			{
				displayName: 'Jour limite du relevé mensuel',
				name: 'jourReleve',
				type: 'number',
				default: 10,
				description: 'Le relevé des heures du mois est transmis au facilitateur au plus tard ce jour du mois suivant',
				displayOptions: { show: { clausesTypes: [true] } },
			},
			{
				displayName: 'Pondération du critère social (%)',
				name: 'poidsCritereSocial',
				type: 'number',
				default: 10,
				description: 'Pour les lots où l’étude recommande un critère social d’attribution',
				displayOptions: { show: { clausesTypes: [true] } },
			},
			{
				displayName: 'Pénalité par jour de retard d’un engagement (€ HT)',
				name: 'penaliteJourEngagement',
				type: 'number',
				default: 100, // COMMITMENT_DEFAULTS.penaliteJour (le linter exige une valeur écrite ; test du nœud : égale au défaut du cœur)
				typeOptions: { minValue: 0 },
				description: `Engagements qui ne se comptent pas en heures (actions qualitatives, stagiaires, illettrisme…), après mise en demeure : la pénalité que le nœud « Engagements sociaux » applique. ${COMMITMENT_DEFAULTS.penaliteJour.source}.`,
				displayOptions: { show: { clausesTypes: [true] } },
			},
			{
				displayName: 'Délai entre relance et mise en demeure d’un engagement (jours)',
				name: 'delaiRelanceEngagement',
				type: 'number',
				default: 15, // COMMITMENT_DEFAULTS.delaiRelanceJours
				typeOptions: { minValue: 0 },
				description: COMMITMENT_DEFAULTS.delaiRelanceJours.source,
				displayOptions: { show: { clausesTypes: [true] } },
			},
			{
				displayName: 'Délai laissé par la mise en demeure d’un engagement (jours)',
				name: 'delaiMiseEnDemeureEngagement',
				type: 'number',
				default: 15, // COMMITMENT_DEFAULTS.delaiMiseEnDemeureJours
				typeOptions: { minValue: 1 },
				description: COMMITMENT_DEFAULTS.delaiMiseEnDemeureJours.source,
				displayOptions: { show: { clausesTypes: [true] } },
			},
			{
				displayName: 'Champ binaire des clauses types',
				name: 'binaryClauses',
				type: 'string',
				default: 'clauses',
				required: true,
				displayOptions: { show: { clausesTypes: [true] } },
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const node = this.getNode();
		if (items.length === 0) return [[]];
		const rows = items.map((item) => toRow(item.json));
		const totals = studyTotals(rows);
		const dateEtude =
			rows.find((r) => r.faisabilite)?.faisabilite?.dateEtude ??
			new Intl.DateTimeFormat('en-CA', { timeZone: this.getTimezone() }).format(new Date());
		const requested = (this.getNodeParameter('nomFichier', 0, '') as string).trim();
		const fileName =
			requested !== ''
				? requested.endsWith('.xlsx')
					? requested
					: `${requested}.xlsx`
				: `etude-clauses-${safeFilePart(totals.marches.length === 1 ? totals.marches[0] : `${totals.marches.length || ''}-marches`)}-${dateEtude}.xlsx`;
		const property = this.getNodeParameter('binaryPropertyName', 0, 'data') as string;
		let buffer: Buffer | undefined;
		let failure: unknown;
		try {
			buffer = await buildStudyReport(rows, {
				titre: this.getNodeParameter('titre', 0, '') as string,
				region: (this.getNodeParameter('region', 0, '') as string) || undefined,
				dateEtude,
			});
		} catch (error) {
			failure = error;
		}
		if (!buffer) throw toNodeError(node, failure, 0);
		const binary = await this.helpers.prepareBinaryData(
			buffer,
			fileName,
			'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
		);
		const binaries = { [property]: binary };
		let revue: IDataObject | null = null;
		if (this.getNodeParameter('revueProgrammation', 0, false) as boolean) {
			try {
				const review = reviewProgramme(rows, parseProgrammeReviewSettings({ heuresParEtpFacilitateur: this.getNodeParameter('heuresParEtpFacilitateur', 0, 109091) }));
				const revueName = fileName.replace(/\.xlsx$/, '').replace(/^etude-clauses-/, 'revue-programmation-') + '.xlsx';
				const revueBuffer = await buildProgrammeReview(review, { titre: 'Revue annuelle de la programmation des achats', region: (this.getNodeParameter('region', 0, '') as string) || undefined, date: dateEtude });
				binaries[this.getNodeParameter('binaryRevue', 0, 'revue') as string] = await this.helpers.prepareBinaryData(revueBuffer, revueName, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
				revue = { fichier: revueName, ...review.totaux, aJustifier: review.aJustifier.map((m) => m.marche), parFacilitateur: review.parFacilitateur.map((f) => ({ ...f })) };
			} catch (error) {
				throw toNodeError(node, error, 0);
			}
		}
		let clausesTypes: IDataObject | null = null;
		if (this.getNodeParameter('clausesTypes', 0, false) as boolean) {
			try {
				const plafond = Number(this.getNodeParameter('plafondPenalites', 0, 0));
				const settings = parseSettings(
					ModelClauseSettingsSchema,
					{
						penaliteHeure: this.getNodeParameter('penaliteHeure', 0, 60),
						penaliteRetardReleve: this.getNodeParameter('penaliteRetardReleve', 0, 100),
						penaliteRetardBilan: this.getNodeParameter('penaliteRetardBilan', 0, 300),
						plafondPenalites: plafond > 0 ? plafond : undefined,
						jourReleve: this.getNodeParameter('jourReleve', 0, 10),
						poidsCritereSocial: this.getNodeParameter('poidsCritereSocial', 0, 10),
						penaliteJourEngagement: this.getNodeParameter('penaliteJourEngagement', 0, COMMITMENT_DEFAULTS.penaliteJour.valeur),
						delaiRelanceEngagement: this.getNodeParameter('delaiRelanceEngagement', 0, COMMITMENT_DEFAULTS.delaiRelanceJours.valeur),
						delaiMiseEnDemeureEngagement: this.getNodeParameter('delaiMiseEnDemeureEngagement', 0, COMMITMENT_DEFAULTS.delaiMiseEnDemeureJours.valeur),
						collectivite: (this.getNodeParameter('region', 0, '') as string) || undefined,
					},
					MODEL_CLAUSE_LABELS,
				);
				const model = buildModelClauses(rows, settings);
				const clausesName = fileName.replace(/\.xlsx$/, '').replace(/^etude-clauses-/, 'clauses-types-') + '.docx';
				const docx = await buildModelClausesDocx(model);
				binaries[this.getNodeParameter('binaryClauses', 0, 'clauses') as string] = await this.helpers.prepareBinaryData(
					docx,
					clausesName,
					'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
				);
				clausesTypes = {
					fichier: clausesName,
					lots: model.lots.map((l) => ({ marche: l.marche, lot: l.lot, heures: l.heures, facilitateur: l.facilitateur ?? null, mecanismes: l.mecanismes.map((m) => m.code), pieces: l.sections.map((x) => `${x.piece} – ${x.titre}`) })),
					lotsSansClause: model.sansClause.length,
				};
			} catch (error) {
				throw toNodeError(node, error, 0);
			}
		}
		const facilitateurs: IDataObject[] = [];
		for (const row of rows) {
			const f = row.faisabilite?.facilitateur;
			if (f && row.faisabilite?.decision === 'clause' && !facilitateurs.some((x) => x.nom === f.nom)) {
				facilitateurs.push({ nom: f.nom, email: f.email ?? null });
			}
		}
		return [
			[
				{
					json: {
						fichier: fileName,
						marches: totals.marches,
						lots: totals.lots,
						lotsAvecClause: totals.lotsAvecClause,
						lotsEnErreur: totals.lotsEnErreur,
						montantHT: totals.montantHT,
						heuresARetenir: totals.heuresARetenir,
						facilitateurs,
						courrielsFacilitateurs: facilitateurs.map((f) => f.email).filter(Boolean).join(', '),
						synthese: { texte: studySummaryText(rows, fileName), html: studySummaryHtml(rows, fileName) },
						revue,
						...(clausesTypes ? { clausesTypes } : {}),
					},
					binary: binaries,
					pairedItem: items.map((_item, index) => ({ item: index })),
				},
			],
		];
	}
}
