/**
 * Les engagements sociaux (autres considérations sociales) lus au registre
 * avec leurs clauses, et leur section du bilan : partagés par les nœuds
 * « Engagements sociaux » et « Bilan des clauses sociales ».
 */
import type { IDataObject } from 'n8n-workflow';

import type { Register } from '../adapters';
import type { CommitmentBilan, CommitmentFollowUpSettings, CommitmentRecord, RegisterClause } from '../core';
import { COMMITMENT_DEFAULTS, COMMITMENT_SECTION_TITLE, CommitmentRecordSchema, clauseKey, commitmentBilan } from '../core';

export interface Followed {
	key: string;
	record: CommitmentRecord;
	clause?: RegisterClause;
}

/** Les engagements du registre et leurs clauses (filtrés par facilitateur s'il est donné). */
export async function readCommitments(register: Register, facilitateur: string | undefined): Promise<Followed[]> {
	const clauses = new Map((await register.list('clause')).map((c) => [c.key, c.data as RegisterClause]));
	const out: Followed[] = [];
	for (const stored of await register.list('engagement')) {
		const record = CommitmentRecordSchema.parse(stored.data);
		const clause = clauses.get(clauseKey(record));
		if (facilitateur && clause?.facilitateur !== facilitateur) continue;
		out.push({ key: stored.key, record, clause });
	}
	return out;
}

const DEFAULT_SETTINGS: Pick<CommitmentFollowUpSettings, 'delaiRelanceJours' | 'delaiMiseEnDemeureJours' | 'penaliteJour'> = {
	delaiRelanceJours: COMMITMENT_DEFAULTS.delaiRelanceJours.valeur,
	delaiMiseEnDemeureJours: COMMITMENT_DEFAULTS.delaiMiseEnDemeureJours.valeur,
	penaliteJour: COMMITMENT_DEFAULTS.penaliteJour.valeur,
};

/**
 * Les engagements du registre dans le bilan : les échéances de la période,
 * leur situation à la fin de la période, les étapes parties, le titulaire de
 * chaque clause.
 */
export async function readCommitmentBilan(
	register: Register,
	period: { debut: string; fin: string; facilitateur?: string },
	settings: Pick<CommitmentFollowUpSettings, 'delaiRelanceJours' | 'delaiMiseEnDemeureJours' | 'penaliteJour'> = DEFAULT_SETTINGS,
): Promise<CommitmentBilan> {
	const followed = await readCommitments(register, period.facilitateur);
	return commitmentBilan(
		followed.map((f) => ({ key: f.key, record: f.record, clauseStatus: f.clause?.statut ?? 'enCours', ...(f.clause?.titulaire ? { titulaire: f.clause.titulaire } : {}) })),
		{ debut: period.debut, fin: period.fin, dateSuivi: period.fin },
		settings,
	);
}

/** La section telle que la rendent les nœuds en JSON. */
export function commitmentSectionJson(bilan: CommitmentBilan): IDataObject {
	return { section: COMMITMENT_SECTION_TITLE, ...bilan } as unknown as IDataObject;
}

/**
 * Section « autres considérations sociales » du bilan sur le registre, en
 * JSON : reprise par les nœuds « Engagements sociaux » et « Bilan des clauses
 * sociales ».
 */
export async function commitmentBilanSection(
	register: Register,
	period: { debut: string; fin: string; facilitateur?: string },
	settings: Pick<CommitmentFollowUpSettings, 'delaiRelanceJours' | 'delaiMiseEnDemeureJours' | 'penaliteJour'> = DEFAULT_SETTINGS,
): Promise<IDataObject> {
	return commitmentSectionJson(await readCommitmentBilan(register, period, settings));
}
