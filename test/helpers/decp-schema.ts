/**
 * Validation d'un fichier des données essentielles contre le schéma JSON
 * officiel (format 2.0.3), gardé en copie dans test/fixtures/decp (voir son
 * LISEZMOI.md : source, empreinte, licence), avec ajv.
 */
import Ajv from 'ajv';
import fs from 'node:fs';
import path from 'node:path';

export const DECP_SCHEMA_PATH = path.resolve(__dirname, '..', 'fixtures', 'decp', 'schema_decp_v2.0.3.json');

let validate: ReturnType<Ajv['compile']> | undefined;

/** Erreurs d'ajv (vide : fichier conforme au schéma officiel). */
export function officialSchemaErrors(file: unknown): string[] {
	if (!validate) {
		const schema = JSON.parse(fs.readFileSync(DECP_SCHEMA_PATH, 'utf8')) as Record<string, unknown>;
		validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
	}
	if (validate(file)) return [];
	return (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}
