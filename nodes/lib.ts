/**
 * Point d'entrée du paquet partagé `dist/nodes/lib.js` : le cœur métier, les
 * adaptateurs (Excel, courriel) et l'enveloppe n8n commune, regroupés une
 * seule fois pour tous les nœuds (voir scripts/build.mjs).
 */
export * from './adapters';
export * from './core';
export * from './shared/calibration-properties';
export * from './shared/commitments';
export * from './shared/descriptions';
export * from './shared/follow-up';
export * from './shared/items';
export * from './shared/lots';
export * from './shared/parameters';
export * from './shared/plausibility';
export * from './shared/pooling';
export * from './shared/pooling-penalty';
export * from './shared/pooling-reminder';
export * from './shared/register';
export * from './shared/read-limits';
export * from './shared/send-once';
export * from './shared/smtp';
// zod des nœuds : leurs imports de « zod/v4 » sont redirigés ici à la construction (scripts/build.mjs).
export * as zodV4 from 'zod/v4';
