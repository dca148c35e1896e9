/** Adaptateurs d'entrée-sortie (Excel, courriel) : à côté du cœur, jamais dedans. */
export * from './excel/cells';
export * from './excel/fiche-visa-annotate';
export * from './excel/fiche-visa-reader';
export * from './excel/fiche-visa-template';
export * from './excel/releve-template';
export * from './excel/stream-tables';
export * from './excel/study-report';
export * from './excel/table';
export * from './excel/workbook';
export * from './excel/xlsx-edit';
export * from './excel/xlsx-light';
export * from './excel/zip-archive';
export * from './mail/mailer';
