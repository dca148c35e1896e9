/**
 * Les engagements sociaux (autres considérations sociales) lus au registre
 * avec leurs clauses, et leur section du bilan : partagés par les nœuds
 * « Engagements sociaux » et « Bilan des clauses sociales ».
 */
import type { IDataObject } from 'n8n-workflow';

import type { Register } from '../adapters';
import type { CommitmentFollowUpSettings, CommitmentRecord, RegisterClause } from '../core';
import { COMMITMENT_DEFAULTS, CommitmentRecordSchema, clauseKey, commitmentBilan } from '../core';

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

/**
 * Section « autres considérations sociales » du bilan sur le registre : les
 * échéances de la période, leur situation à la fin de la période, les étapes
 * parties. Reprise par le nœud « Bilan des clauses sociales ».
 */
export async function commitmentBilanSection(
	register: Register,
	period: { debut: string; fin: string; facilitateur?: string },
	settings: Pick<CommitmentFollowUpSettings, 'delaiRelanceJours' | 'delaiMiseEnDemeureJours' | 'penaliteJour'> = {
		delaiRelanceJours: COMMITMENT_DEFAULTS.delaiRelanceJours.valeur,
		delaiMiseEnDemeureJours: COMMITMENT_DEFAULTS.delaiMiseEnDemeureJours.valeur,
		penaliteJour: COMMITMENT_DEFAULTS.penaliteJour.valeur,
	},
): Promise<IDataObject> {
	const followed = await readCommitments(register, period.facilitateur);
	const bilan = commitmentBilan(
		followed.map((f) => ({ key: f.key, record: f.record, clauseStatus: f.clause?.statut ?? 'enCours' })),
		{ debut: period.debut, fin: period.fin, dateSuivi: period.fin },
		settings,
	);
	return { section: 'Autres considérations sociales', ...bilan } as unknown as IDataObject;
}

