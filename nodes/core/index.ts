/**
 * Le cœur métier : règles pures, sans dépendance à n8n. Les nœuds n'en sont
 * que l'enveloppe (lecture des éléments, paramètres, erreurs n8n).
 */
export * from './anomalies';
export * from './bilan';
export * from './calendar';
export * from './calibration';
export * from './decp';
export * from './concurrency';
export * from './feasibility';
export * from './fiche-visa';
export * from './fiche-visa-message';
export * from './fiche-visa-from-study';
export * from './email';
export * from './excel-serial';
export * from './format';
export * from './keys';
export * from './model-clauses';
export * from './numbers';
export * from './online-report';
export * from './penalties';
export * from './penalty-letter';
export * from './plausibility';
export * from './records';
export * from './register-records';
export * from './referential';
export * from './reminder-message';
export * from './read-limits';
export * from './reminders';
export * from './report-acknowledgement';
export * from './report-intake';
export * from './sectors';
export * from './study-summary';
export * from './territories';
export * from './schemas/decp';
export * from './schemas/facilitator';
export * from './schemas/fiche-visa';
export * from './schemas/lot';
export * from './schemas/penalty';
export * from './schemas/primitives';
export * from './schemas/registre';
export * from './schemas/suivi';
export * from './bilan-document';
export * from './programme-review';
export * from './commitments';
export * from './schemas/engagement';
