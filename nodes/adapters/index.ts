/** Adaptateurs d'entrée-sortie (Excel, courriel) : à côté du cœur, jamais dedans. */
export * from './excel/bilan-report';
export * from './excel/cells';
export * from './excel/fiche-visa-annotate';
export * from './excel/fiche-visa-reader';
export * from './excel/fiche-visa-template';
export * from './excel/follow-up-workbook';
export * from './excel/register-append';
export * from './excel/releve-reader';
export * from './excel/releve-template';
export * from './excel/stream-tables';
export * from './excel/study-report';
export * from './excel/table';
export * from './excel/workbook';
export * from './excel/xlsx-light';
export * from './mail/mailer';
