import type { IBinaryKeyData, IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import type { StudyReportRow } from '../adapters';
import type { ModelClauseSettings } from '../core';
import { buildModelClausesDocx, buildProgrammeReview, buildStudyReport } from '../adapters';
import { COMMITMENT_DEFAULTS, MODEL_CLAUSE_LABELS, ModelClauseSettingsSchema, buildModelClauses, parseDecimal, parseProgrammeReviewSettings, parseSettings, reviewProgramme, studySummaryHtml, studySummaryText, studyTotals, todayIn, upstream, upstreamText, UpstreamAnomaliesSchema, UpstreamCalibrationSchema, UpstreamDetailsSchema, UpstreamFeasibilitySchema } from '../core';
import { isUpstreamError } from '../shared/items';
import { atItem, booleanParameter, isDataObject, outputFile, textParameter } from '../shared/parameters';
import { regionProperty } from '../shared/descriptions';

/** Un lot étudié (ou en échec en amont : ses données sont dans details.donnees). */
function toRow(item: IDataObject): StudyReportRow {
	const failed = isUpstreamError(item);
	const details = upstream(UpstreamDetailsSchema, item.details) ?? {};
	const json = !failed ? item : isDataObject(details.donnees) ? details.donnees : {};
	const calibrage = upstream(UpstreamCalibrationSchema, json.calibrage);
	return {
		marche: upstreamText(json.marche),
		objet: upstreamText(json.objet),
		lot: upstreamText(json.lot),
		intitule: upstreamText(json.intitule),
		nature: upstreamText(json.nature),
		montantHT: calibrage?.parametres?.montantHT?.valeur ?? parseDecimal(json.montantHT),
		dureeMois: parseDecimal(json.dureeMois),
		lieuExecution: upstreamText(json.lieuExecution),
		calibrage,
		faisabilite: upstream(UpstreamFeasibilitySchema, json.faisabilite),
		erreur: failed ? upstreamText(item.error) : undefined,
		anomalies: failed ? upstream(UpstreamAnomaliesSchema, details.anomalies) : undefined,
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
			regionProperty(),
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
		if (items.length === 0) return [[]];
		const rows = items.map((item) => toRow(item.json));
		const totals = studyTotals(rows);
		const dateEtude = rows.find((r) => r.faisabilite)?.faisabilite?.dateEtude ?? todayIn(this.getTimezone());
		const fileName = studyFileName(textParameter(this, 'nomFichier').trim(), totals.marches, dateEtude);
		const region = () => textParameter(this, 'region') || undefined;
		const buffer = await atItem(this, 0, () => buildStudyReport(rows, { titre: textParameter(this, 'titre'), region: region(), dateEtude }));
		const binaries: IBinaryKeyData = { [textParameter(this, 'binaryPropertyName', 0, 'data')]: await outputFile(this, buffer, fileName, 'xlsx') };
		let revue: IDataObject | null = null;
		if (booleanParameter(this, 'revueProgrammation')) {
			revue = await atItem(this, 0, async () => {
				const review = reviewProgramme(rows, parseProgrammeReviewSettings({ heuresParEtpFacilitateur: this.getNodeParameter('heuresParEtpFacilitateur', 0, 109091) }));
				const revueName = siblingFileName(fileName, 'revue-programmation-', '.xlsx');
				const revueBuffer = await buildProgrammeReview(review, { titre: 'Revue annuelle de la programmation des achats', region: region(), date: dateEtude });
				binaries[textParameter(this, 'binaryRevue', 0, 'revue')] = await outputFile(this, revueBuffer, revueName, 'xlsx');
				return { fichier: revueName, ...review.totaux, aJustifier: review.aJustifier.map((m) => m.marche), parFacilitateur: review.parFacilitateur.map((f) => ({ ...f })) };
			});
		}
		let clausesTypes: IDataObject | null = null;
		if (booleanParameter(this, 'clausesTypes')) {
			clausesTypes = await atItem(this, 0, async () => {
				const model = buildModelClauses(rows, modelClauseSettings(this, region()));
				const clausesName = siblingFileName(fileName, 'clauses-types-', '.docx');
				binaries[textParameter(this, 'binaryClauses', 0, 'clauses')] = await outputFile(this, await buildModelClausesDocx(model), clausesName, 'docx');
				return {
					fichier: clausesName,
					lots: model.lots.map((l) => ({ marche: l.marche, lot: l.lot, heures: l.heures, facilitateur: l.facilitateur ?? null, mecanismes: l.mecanismes.map((m) => m.code), pieces: l.sections.map((x) => `${x.piece} – ${x.titre}`) })),
					lotsSansClause: model.sansClause.length,
				};
			});
		}
		const facilitateurs = clauseFacilitators(rows);
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

/** Nom du classeur : celui demandé (« .xlsx » ajouté au besoin), sinon « etude-clauses-MARCHÉ-DATE.xlsx ». */
function studyFileName(requested: string, marches: string[], dateEtude: string): string {
	if (requested !== '') return requested.endsWith('.xlsx') ? requested : `${requested}.xlsx`;
	return `etude-clauses-${safeFilePart(marches.length === 1 ? marches[0] : `${marches.length || ''}-marches`)}-${dateEtude}.xlsx`;
}

/** Nom d'un fichier joint au classeur d'étude : même suite, autre préfixe (« etude-clauses-… » → « revue-programmation-… »). */
function siblingFileName(fileName: string, prefix: string, extension: string): string {
	return fileName.replace(/\.xlsx$/, '').replace(/^etude-clauses-/, prefix) + extension;
}

/** Réglages des clauses types, lus des paramètres du nœud et validés par leur schéma. */
function modelClauseSettings(ctx: IExecuteFunctions, collectivite: string | undefined): ModelClauseSettings {
	const plafond = Number(ctx.getNodeParameter('plafondPenalites', 0, 0));
	return parseSettings(
		ModelClauseSettingsSchema,
		{
			penaliteHeure: ctx.getNodeParameter('penaliteHeure', 0, 60),
			penaliteRetardReleve: ctx.getNodeParameter('penaliteRetardReleve', 0, 100),
			penaliteRetardBilan: ctx.getNodeParameter('penaliteRetardBilan', 0, 300),
			plafondPenalites: plafond > 0 ? plafond : undefined,
			jourReleve: ctx.getNodeParameter('jourReleve', 0, 10),
			poidsCritereSocial: ctx.getNodeParameter('poidsCritereSocial', 0, 10),
			penaliteJourEngagement: ctx.getNodeParameter('penaliteJourEngagement', 0, COMMITMENT_DEFAULTS.penaliteJour.valeur),
			delaiRelanceEngagement: ctx.getNodeParameter('delaiRelanceEngagement', 0, COMMITMENT_DEFAULTS.delaiRelanceJours.valeur),
			delaiMiseEnDemeureEngagement: ctx.getNodeParameter('delaiMiseEnDemeureEngagement', 0, COMMITMENT_DEFAULTS.delaiMiseEnDemeureJours.valeur),
			collectivite,
		},
		MODEL_CLAUSE_LABELS,
	);
}

/** Les facilitateurs des lots avec clause, une fois chacun. */
function clauseFacilitators(rows: StudyReportRow[]): Array<{ nom: string; email: string | null }> {
	const facilitateurs: Array<{ nom: string; email: string | null }> = [];
	for (const row of rows) {
		const f = row.faisabilite?.facilitateur;
		if (f && row.faisabilite?.decision === 'clause' && !facilitateurs.some((x) => x.nom === f.nom)) facilitateurs.push({ nom: f.nom, email: f.email ?? null });
	}
	return facilitateurs;
}
