/** Le registre des clauses en base de données (SQLite intégré, ou PostgreSQL). */
export * from './database';
export * from './migrations';
export * from './postgres';
export * from './register';
export * from './sqlite';
