/**
 * Clauses types du dossier de consultation (Word), produites par le nœud
 * « Rapport d'étude des clauses » après l'étude d'exemple, sur le moteur de
 * n8n : le .docx s'ouvre dans LibreOffice, et le texte de sa conversion en PDF
 * (pdftotext) porte les heures de l'étude, le facilitateur et ses
 * coordonnées, les pénalités et, pour un critère d'attribution, l'annexe de
 * notation. Sans l'option, le nœud ne change rien à ce qu'il produisait.
 */
import fs from 'node:fs';
import type { INodeExecutionData } from 'n8n-workflow';

import { COMMITMENT_DEFAULTS, MODEL_CLAUSE_DEFAULTS } from '../../nodes/core';
import { runNode } from '../helpers/engine';
import { sampleStudyItems } from '../helpers/study-items';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { convertWithLibreOffice } = require('../helpers/libreoffice.cjs') as { convertWithLibreOffice: (b: Buffer, f: 'pdf', ext: 'docx') => Buffer | undefined };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { pdfBufferLayoutText } = require('../helpers/pdf-info.cjs') as { pdfBufferLayoutText: (pdf: Buffer) => string };

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

function pdftotext(pdf: Buffer): string {
	return pdfBufferLayoutText(pdf).replace(/[\u00a0\u202f]/g, ' ');
}

/** Texte sur une ligne, espaces réduits (pdftotext coupe les lignes). */
const flat = (text: string) => text.replace(/\s+/g, ' ');

let study: INodeExecutionData[];
beforeAll(async () => {
	study = await sampleStudyItems();
}, 60000);

describe('clauses types du dossier de consultation (Word)', () => {
	it('le .docx s’ouvre dans LibreOffice ; son texte porte les heures, le facilitateur, les pénalités et l’annexe de notation', async () => {
		const out = await runNode(
			{ type: 'clauseStudyReport', parameters: { region: 'Région Val-d’Argent', clausesTypes: true, plafondPenalites: 20, penaliteHeure: 60, jourReleve: 10, poidsCritereSocial: 15 } },
			study,
		);
		expect(out.error()).toBeUndefined();
		const item = out.items[0];
		const binary = item.binary!.clauses;
		expect(binary).toMatchObject({ mimeType: DOCX, fileName: 'clauses-types-4-marches-2026-11-23.docx' });
		const clauses = item.json.clausesTypes as { lots: Array<{ marche: string; lot: string; heures: number; facilitateur: string | null; mecanismes: string[] }>; lotsSansClause: number };
		const lot1 = clauses.lots.find((l) => l.marche === '2026-TRX-014' && l.lot === '1')!;
		expect(lot1).toMatchObject({ heures: 420, facilitateur: "PLIE du Val d'Argent", mecanismes: ['clauseExecution'] });
		expect(clauses.lots.find((l) => l.marche === '2026-SRV-031' && l.lot === '1')!.mecanismes).toContain('critereAttribution');

		const docx = Buffer.from(binary.data, 'base64');
		const pdf = convertWithLibreOffice(docx, 'pdf', 'docx');
		expect(pdf).toBeDefined();
		// Variable d'environnement facultative : garder le PDF pour le regarder.
		if (process.env.CLAUSES_TYPES_PDF) fs.writeFileSync(process.env.CLAUSES_TYPES_PDF, pdf!);
		const text = flat(pdftotext(pdf!));
		// Lot 1 du marché de travaux : ses heures, son facilitateur et ses coordonnées, les pénalités.
		expect(text).toContain('Marché 2026-TRX-014, lot 1 – Démolition – gros œuvre');
		expect(text).toContain('un volume minimal de 420 h de travail');
		expect(text).toContain("Le titulaire est accompagné par le facilitateur de la clause, PLIE du Val d'Argent (Plan local pour l'insertion et l'emploi du Val d'Argent), joignable à l’adresse");
		expect(text).toContain("les candidats peuvent s’adresser au facilitateur de la clause, PLIE du Val d'Argent (Plan local pour l'insertion et l'emploi du Val d'Argent), joignable à l’adresse clauses@plie-val-argent.example.test, tél. 05 49 00 10 20");
		expect(text).toContain('Règlement de la consultation – Marché réservé (lot 2 « Vitrerie ») – option proposée par l’étude');
		expect(text).toContain('une pénalité de 60,00 € HT par heure d’insertion non réalisée');
		expect(text).toContain('au plus tard le 10 du mois suivant');
		expect(text).toContain('plafonné à 20 % du montant HT du marché');
		expect(text).toContain('article L2112-2 du Code de la commande publique');
		// Nettoyage : critère d'attribution, son paragraphe et son annexe de notation.
		expect(text).toContain('2 400 h');
		expect(text).toContain('article R2152-7 du Code de la commande publique');
		expect(text).toContain('pondéré à 15 %');
		expect(text).toContain('Méthode de notation du critère d’insertion professionnelle');
		expect(text).toContain('Maison de l\'emploi du Haut-Argent');
		// Lots à actions qualitatives : leur article, avec la relance, la mise en demeure et la pénalité par jour que le suivi des engagements applique (défauts).
		expect(text).toContain('Actions qualitatives d’insertion');
		expect(text).toContain('Si le titulaire n’en a pas justifié dans un délai de 15 jours calendaires suivant ce rappel, l’acheteur le met en demeure de le faire dans un délai de 15 jours calendaires.');
		expect(text).toContain('il encourt une pénalité de 100,00 € HT par jour calendaire de retard dans la justification de l’engagement, décomptée du lendemain de cette date limite');
		expect(text).not.toContain('forfaitaire');
	}, 180000);

	it('article des actions qualitatives : délais et pénalité par jour paramétrables, les mêmes que le suivi des engagements', async () => {
		const out = await runNode(
			{ type: 'clauseStudyReport', parameters: { clausesTypes: true, penaliteJourEngagement: 150, delaiRelanceEngagement: 0, delaiMiseEnDemeureEngagement: 1 } },
			study,
		);
		expect(out.error()).toBeUndefined();
		expect((out.items[0].json.clausesTypes as { lots: Array<{ pieces: string[] }> }).lots.flatMap((l) => l.pieces).some((p) => p.startsWith('CCAP – Article [n°] – Actions qualitatives d’insertion'))).toBe(true);
		// Le texte du document Word : les paramètres donnés, au singulier quand il le faut, aucun montant forfaitaire à compléter.
		const docx = Buffer.from(out.items[0].binary!.clauses.data, 'base64');
		const pdf = convertWithLibreOffice(docx, 'pdf', 'docx');
		expect(pdf).toBeDefined();
		const text = flat(pdftotext(pdf!));
		expect(text).toContain('une pénalité de 150,00 € HT par jour calendaire de retard dans la justification de l’engagement');
		expect(text).toContain('Si le titulaire n’en a pas justifié à la date de ce rappel, l’acheteur le met en demeure de le faire dans un délai de 1 jour calendaire.');
		expect(text).not.toMatch(/forfaitaire|\[montant/);
	}, 180000);

	it('les défauts de la pénalité et des délais des engagements sont ceux du suivi des engagements', () => {
		expect(MODEL_CLAUSE_DEFAULTS).toMatchObject({
			penaliteJourEngagement: COMMITMENT_DEFAULTS.penaliteJour.valeur,
			delaiRelanceEngagement: COMMITMENT_DEFAULTS.delaiRelanceJours.valeur,
			delaiMiseEnDemeureEngagement: COMMITMENT_DEFAULTS.delaiMiseEnDemeureJours.valeur,
		});
		const { ClauseStudyReport } = jest.requireActual('../../nodes/ClauseStudyReport/ClauseStudyReport.node');
		const properties = new ClauseStudyReport().description.properties as Array<{ name: string; default: unknown; description?: string }>;
		const byName = Object.fromEntries(properties.map((p) => [p.name, p]));
		expect(byName.penaliteJourEngagement.default).toBe(COMMITMENT_DEFAULTS.penaliteJour.valeur);
		expect(byName.delaiRelanceEngagement.default).toBe(COMMITMENT_DEFAULTS.delaiRelanceJours.valeur);
		expect(byName.delaiMiseEnDemeureEngagement.default).toBe(COMMITMENT_DEFAULTS.delaiMiseEnDemeureJours.valeur);
		// Chaque défaut cite sa source.
		expect(byName.penaliteJourEngagement.description).toContain(COMMITMENT_DEFAULTS.penaliteJour.source);
		expect(byName.delaiMiseEnDemeureEngagement.description).toBe(COMMITMENT_DEFAULTS.delaiMiseEnDemeureJours.source);
	});

	it('sans l’option, le rapport reste celui d’avant : pas de document Word ni de clé « clausesTypes »', async () => {
		const out = await runNode({ type: 'clauseStudyReport', parameters: {} }, study);
		expect(out.error()).toBeUndefined();
		expect(Object.keys(out.items[0].binary!)).toEqual(['data']);
		expect(out.items[0].json).not.toHaveProperty('clausesTypes');
	}, 60000);

	it('paramètre fautif : erreur française qui le nomme', async () => {
		const out = await runNode({ type: 'clauseStudyReport', parameters: { clausesTypes: true, jourReleve: 31 } }, study);
		expect((out.error('Nœud testé') as { message: string }).message).toContain('jour limite du relevé mensuel');
	}, 60000);
});
