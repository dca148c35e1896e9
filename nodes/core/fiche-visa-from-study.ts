/**
 * La fiche visa préremplie par l'étude de faisabilité : un formulaire par
 * marché, avec ses lots, leurs heures, leurs mécanismes, le facilitateur et la
 * justification des lots sans clause, pour que l'acheteur ne ressaisisse pas ce
 * que l'étude a fixé. Les champs que l'étude ne connaît pas (service, procédure,
 * dates de lancement…) restent à remplir ; le contrôle de la fiche les exigera.
 */
import type { FicheMechanism } from './schemas/fiche-visa';
import type { StudyRow } from './study-summary';

export interface StudyRowForVisa extends StudyRow {
	nature?: string;
	dureeMois?: number;
	cpv?: string;
}

export interface FicheFromStudy {
	marche: string;
	champs: Record<string, unknown>;
	lots: Array<Record<string, unknown>>;
}

/** Les lots étudiés regroupés par marché, dans l'ordre de l'étude, en champs du formulaire de fiche visa. */
export function ficheVisaFromStudy(rows: StudyRowForVisa[], options: { penaliteParHeure?: number } = {}): FicheFromStudy[] {
	const byMarket = new Map<string, StudyRowForVisa[]>();
	for (const row of rows) {
		if (!row.marche || !row.faisabilite) continue;
		const list = byMarket.get(row.marche) ?? [];
		list.push(row);
		byMarket.set(row.marche, list);
	}
	const out: FicheFromStudy[] = [];
	for (const [marche, lots] of byMarket) {
		const first = lots[0];
		const withClause = lots.filter((r) => r.faisabilite!.decision === 'clause');
		const facilitateur = withClause.map((r) => r.faisabilite!.facilitateur).find((f) => f != null) ?? undefined;
		const decp = new Set<string>();
		for (const r of lots) for (const c of r.faisabilite!.considerationsSociales) decp.add(c);
		if (decp.size > 1) decp.delete('Pas de considération sociale');
		const dureeMois = Math.max(0, ...lots.map((r) => r.dureeMois ?? 0));
		const montant = first.faisabilite!.montantMarcheHT || lots.reduce((s, r) => s + (r.montantHT ?? 0), 0);
		const unique = lots.length === 1 && (first.lot ?? 'unique').toLowerCase() === 'unique';
		const champs: Record<string, unknown> = {
			reference: marche,
			objet: first.objet,
			nature: first.nature,
			cpv: first.cpv,
			montantEstimeHT: montant > 0 ? montant : undefined,
			dureeMois: dureeMois > 0 ? dureeMois : undefined,
			alloti: unique ? 'non' : 'oui',
			etudeFaisabilite: 'oui',
			dateEtude: first.faisabilite!.dateEtude,
			facilitateur: facilitateur?.nom,
			contactFacilitateur: facilitateur?.email,
			considerationsDecp: [...decp],
			...(options.penaliteParHeure !== undefined && withClause.length > 0 ? { penaliteParHeure: options.penaliteParHeure } : {}),
		};
		for (const key of Object.keys(champs)) if (champs[key] === undefined) delete champs[key];
		out.push({
			marche,
			champs,
			lots: lots.map((r) => {
				const f = r.faisabilite!;
				const main = f.mecanismes.filter((m) => !m.option).map((m) => m.code as FicheMechanism);
				const lot: Record<string, unknown> = {
					numero: r.lot ?? 'unique',
					intitule: r.intitule ?? r.objet,
					montantHT: r.montantHT,
					mecanisme: f.decision === 'clause' && main.length > 0 ? main[0] : 'aucune',
					mecanismeComplementaire: f.decision === 'clause' ? main[1] : undefined,
					heures: f.heuresRetenues > 0 ? f.heuresRetenues : undefined,
					facilitateur: f.facilitateur && facilitateur && f.facilitateur.nom !== facilitateur.nom ? f.facilitateur.nom : undefined,
					justificationAbsence: f.decision === 'clause' ? undefined : f.justification,
				};
				for (const key of Object.keys(lot)) if (lot[key] === undefined) delete lot[key];
				return lot;
			}),
		});
	}
	return out;
}
