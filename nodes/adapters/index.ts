/** Adaptateurs d'entrée-sortie (Excel, courriel) : à côté du cœur, jamais dedans. */
export * from './excel/cells';
export * from './excel/study-report';
export * from './excel/table';
export * from './excel/workbook';
