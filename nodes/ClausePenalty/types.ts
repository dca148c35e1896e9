/** Ce que le nœud « Avis de pénalité » prépare pour chaque clause, entre le calcul et la sortie. */
import type { OutgoingMail, SendOutcome } from '../adapters';
import type { ClauseRecord, LetterModel, PenaltyAssessment, PoolPenaltyNote, StepDecision } from '../core';
import type { FollowUpEntry } from '../shared/follow-up';

export const PDF = 'application/pdf';
export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export interface Notice {
	lettre: { fileName: string; content: Buffer; empreinte: string };
	annexe: { fileName: string; content: Buffer };
	mail: OutgoingMail;
	model: LetterModel;
}

export interface Planned {
	entry: FollowUpEntry<ClauseRecord>;
	clause: ClauseRecord;
	assessment: PenaltyAssessment;
	step: StepDecision;
	notice?: Notice;
	/** Groupe de mutualisation de la clause (registre) et heures qu'il couvre. */
	mutualisation?: PoolPenaltyNote;
}

/** Avis retenu avant l'envoi (mode envoi) : rien n'est parti, la clé de non-redite reste libre. */
export interface Refusal {
	/** « non approuvé » : empreinte inconnue ; « sans approbation » : aucune empreinte approuvée ; « délai échu » : mise en demeure trop tardive. */
	refus: 'non approuvé' | 'sans approbation' | 'délai échu';
	/** Date d'envoi (fuseau du workflow), pour « délai échu ». */
	dateEnvoi?: string;
}

export type Outcome = (SendOutcome & { incertain?: boolean }) | 'aperçu' | 'déjà envoyé' | 'en cours ailleurs' | Refusal;
