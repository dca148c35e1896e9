/**
 * Ouverture du registre des clauses depuis un nœud : l'identifiant « Registre
 * des clauses » s'il est choisi, sinon le fichier SQLite par défaut dans le
 * dossier de n8n. En mode file d'attente (workers), le fichier d'un serveur
 * n'est pas partagé : PostgreSQL est alors exigé.
 */
import { homedir } from 'node:os';
import path from 'node:path';

import type {
	ICredentialDataDecryptedObject,
	ICredentialTestFunctions,
	ICredentialsDecrypted,
	IExecuteFunctions,
	INodeCredentialTestResult,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { z } from 'zod/v4';

import type { Database } from '../adapters';
import { PostgresDatabase, Register, RegisterError, SqliteDatabase } from '../adapters';

export const REGISTER_CREDENTIAL = 'clausesRegistreApi';


const RegisterSettingsSchema = z.discriminatedUnion('base', [
	z.object({ base: z.literal('sqlite'), fichier: z.string().trim().optional().default(''), secretLiens: z.string().optional().default('') }),
	z.object({
		base: z.literal('postgres'),
		host: z.string().trim().min(1, 'l’hôte est vide'),
		port: z.coerce.number().int().min(1).max(65535),
		database: z.string().trim().min(1, 'le nom de la base est vide'),
		user: z.string().trim().min(1, 'l’utilisateur est vide'),
		password: z.string().optional().default(''),
		schema: z.string().trim().optional().default('clauses_sociales'),
		ssl: z.enum(['desactive', 'exige', 'verifie']).optional().default('desactive'),
		ca: z.string().optional().default(''),
		secretLiens: z.string().optional().default(''),
	}),
]);

export type RegisterSettings = z.output<typeof RegisterSettingsSchema>;

/** Fichier SQLite par défaut : `clauses-sociales.sqlite` dans le dossier `.n8n` de l'utilisateur de n8n. */
export function defaultRegisterFile(env: NodeJS.ProcessEnv = process.env): string {
	return path.join(env.N8N_USER_FOLDER || homedir(), '.n8n', 'clauses-sociales.sqlite');
}

export function registerSettings(data: ICredentialDataDecryptedObject | undefined): RegisterSettings {
	const parsed = RegisterSettingsSchema.safeParse({ base: 'sqlite', ...(data ?? {}) });
	if (!parsed.success) {
		const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'identifiant'} : ${i.message}`).join(' ; ');
		throw new RegisterError(`identifiant « Registre des clauses » incomplet (${problems})`, 'Complétez l’identifiant « Registre des clauses ».');
	}
	return parsed.data;
}

export interface OpenRegisterOptions {
	/**
	 * SQLite : connexion dans un fil de travail, pour que chaque validation (écriture
	 * attendue sur disque) laisse Node continuer ; pour les envois (une réservation par
	 * courriel), pas pour les imports en masse. Sans effet sur PostgreSQL, qui valide sur son serveur.
	 */
	sqliteThread?: boolean;
}

/** Ouvre la base décrite par les réglages, et met son schéma à jour. */
export async function openRegisterWith(
	settings: RegisterSettings,
	options: OpenRegisterOptions & { execution?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<Register> {
	const env = options.env ?? process.env;
	let db: Database;
	if (settings.base === 'sqlite') {
		if (env.EXECUTIONS_MODE === 'queue') {
			throw new RegisterError(
				'n8n tourne en mode file d’attente (workers) : un registre SQLite, fichier d’un seul serveur, n’y est pas partagé entre les workers',
				'Créez un identifiant « Registre des clauses » de type PostgreSQL et choisissez-le dans ce nœud.',
			);
		}
		db = await SqliteDatabase.open({ file: settings.fichier || defaultRegisterFile(env), thread: options.sqliteThread });
	} else {
		db = new PostgresDatabase({ ...settings, ssl: settings.ssl, schema: settings.schema });
	}
	return Register.open(db, { execution: options.execution }, settings.base === 'postgres' ? settings.schema : undefined);
}

/** Le registre de ce nœud (à fermer après usage : `await register.close()`). */
export async function openRegister(ctx: IExecuteFunctions, options: OpenRegisterOptions = {}): Promise<Register> {
	try {
		const chosen = ctx.getNode().credentials?.[REGISTER_CREDENTIAL] !== undefined;
		const data = chosen ? await ctx.getCredentials(REGISTER_CREDENTIAL) : undefined;
		return await openRegisterWith(registerSettings(data), { ...options, execution: ctx.getExecutionId() });
	} catch (error) {
		if (error instanceof RegisterError) {
			throw new NodeOperationError(ctx.getNode(), `Registre des clauses : ${error.message}`, { description: error.correction });
		}
		throw new NodeOperationError(ctx.getNode(), error instanceof Error ? error : String(error));
	}
}

/**
 * Secret des liens du relevé en ligne (identifiant « Registre des clauses ») ;
 * chaîne vide si l'identifiant n'est pas choisi ou le secret pas renseigné.
 */
export async function registerLinkSecret(ctx: IExecuteFunctions): Promise<string> {
	if (ctx.getNode().credentials?.[REGISTER_CREDENTIAL] === undefined) return '';
	const data = await ctx.getCredentials(REGISTER_CREDENTIAL);
	return typeof data.secretLiens === 'string' ? data.secretLiens : '';
}

/** Test de connexion de l'identifiant « Registre des clauses ». */
export async function clausesRegistreTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	let register: Register | undefined;
	try {
		const settings = registerSettings(credential.data);
		register = await openRegisterWith(settings);
		const where = settings.base === 'sqlite' ? `fichier ${settings.fichier || defaultRegisterFile()}` : `${settings.host}:${settings.port}, base ${settings.database}, schéma ${settings.schema}`;
		return { status: 'OK', message: `Registre joignable (${where}), schéma à jour.` };
	} catch (error) {
		const message = error instanceof RegisterError ? `${error.message}. ${error.correction}` : `Connexion impossible : ${(error as Error).message}`;
		return { status: 'Error', message };
	} finally {
		await register?.close().catch(() => undefined);
	}
}
