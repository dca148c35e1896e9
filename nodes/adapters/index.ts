/** Adaptateurs d'entrée-sortie (Excel, courriel) : à côté du cœur, jamais dedans. */
export * from './excel/bilan-report';
export * from './excel/cells';
export * from './excel/register-append';
export * from './excel/releve-reader';
export * from './excel/releve-template';
export * from './excel/stream-tables';
export * from './excel/study-report';
export * from './excel/table';
export * from './excel/workbook';
export * from './mail/mailer';
