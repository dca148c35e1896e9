/**
 * Heures retenues par l'étude de faisabilité pour la consultation d'exemple
 * (workflows/donnees-exemple/lots-consultation.xlsx, paramètres du workflow
 * livré), avec leur source : attendues par le test de bout en bout et par le
 * test de la chaîne dans le moteur de n8n.
 */
export const SAMPLE_STUDY_HOURS: Record<string, number> = {
	// Lycée : volumes réels du lycée du Limousin (Avise 2014) pour les lots 1 à 4 ; lot 7 sous le plancher de 70 h du workflow.
	'2026-TRX-014/1': 420,
	'2026-TRX-014/2': 280,
	'2026-TRX-014/3': 490,
	'2026-TRX-014/4': 455,
	'2026-TRX-014/5': 216,
	'2026-TRX-014/6': 80,
	'2026-TRX-014/7': 0,
	'2026-TRX-014/8': 0,
	// Propreté avec reprise du personnel (Inserpropre) : P = 0,5 ; 0,5 × 1 200 000 ÷ 25 × 10 % = 2 400 h.
	'2026-SRV-031/1': 2400,
	// Propreté sans reprise (vitrerie, 96 000 €) : 128 h en formule standard, sous le plancher de la propreté (150 h, Inserpropre).
	'2026-SRV-031/2': 0,
	// Zone blanche : aucun facilitateur en Charente (16).
	'2026-SRV-040/unique': 0,
	// Prestations intellectuelles : 16 000 h × 15 % (enquête de la CUB, Avise 2013).
	'2026-PI-007/1': 2400,
};
