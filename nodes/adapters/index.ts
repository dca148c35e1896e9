/** Adaptateurs d'entrée-sortie (Excel, courriel) : à côté du cœur, jamais dedans. */
export * from './excel/cells';
export * from './excel/penalty-annex';
export * from './excel/releve-template';
export * from './excel/stream-tables';
export * from './excel/study-report';
export * from './excel/table';
export * from './excel/workbook';
export * from './mail/mailer';
export * from './pdf/penalty-letter';
