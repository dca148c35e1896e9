/**
 * Le vrai n8n (version figée, base SQLite par défaut) pour les tests de bout en
 * bout : un dossier d'instance neuf par fichier de test, le paquet installé
 * comme paquet communautaire, les workflows livrés importés tels quels.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { SmtpSink } from './smtp-sink';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const local = require('../../scripts/lib/n8n-local.cjs') as {
	ROOT: string;
	PACKAGE: { name: string; version: string; n8n: { nodes: string[]; credentials: string[] } };
	DEFAULT_PORT: number;
	serverSettings(env?: NodeJS.ProcessEnv): { port: number; listenAddress: string; webhookUrl: string; editorUrl: string; env: Record<string, string> };
	ownerSession(baseUrl: string): Promise<Record<string, string>>;
	installTarballAsDocumented(layout: Layout, tarball: string): { name: string; homepage?: string; repository?: unknown };
	runN8nScript(
		args: string[],
		options: { env: NodeJS.ProcessEnv; logFile: string },
	): { done: Promise<{ code: number | null; output: string }>; stop(): Promise<{ code: number | null; output: string }>; log(): string; child: { exitCode: number | null } };
	packedFiles(): string[];
	packPackage(outDir?: string): string;
	createHome(home: string): Layout;
	copySampleData(layout: Layout): void;
	installPackage(layout: Layout, tarball: string): string;
	installedPackageDir(layout: Layout): string;
	importCredentials(layout: Layout, credentials: unknown[]): Promise<void>;
	importWorkflow(layout: Layout, file: string, options?: { configuration?: Record<string, unknown> }): Promise<string>;
	configurationOf(workflow: unknown): Record<string, unknown> | undefined;
	withConfiguration<T>(workflow: T, values: Record<string, unknown>): T;
	executeWorkflow(layout: Layout, id: string, options?: { env?: Record<string, string>; onChild?: (child: import('node:child_process').ChildProcess) => void }): Promise<N8nRun>;
	/** Une commande de la CLI de n8n sur l'instance (import d'un dossier, publication…) ; lève une erreur lisible en cas d'échec. */
	n8n(layout: Layout, args: string[], options?: { env?: Record<string, string>; timeoutMs?: number }): Promise<{ stdout: string; stderr: string }>;
	nodeOutput(run: N8nRun, nodeName: string, outputIndex?: number): Array<{ json: Record<string, unknown>; binary?: Record<string, unknown> }> | undefined;
	localCredentials(options: { smtpPort: number }): Array<{ id: string; type: string }>;
	shippedWorkflows(): string[];
	ensureN8n(): { dir: string; bin: string };
	freePort(): Promise<number>;
	withFreeBrokerPort<T>(env: Record<string, string>, run: (env: Record<string, string>) => Promise<T>): Promise<T>;
	startServer(layout: Layout, options: { port: number; env?: Record<string, string>; timeoutMs?: number }): Promise<{ url: string; log: string; stop(): Promise<void> }>;
	openLink(url: string, options?: { timeoutMs?: number }): Promise<{ status: number; body: string }>;
	queryDatabase(layout: Layout, sql: string, params?: unknown[]): Promise<Array<Record<string, unknown>>>;
	readExecution(layout: Layout, executionId: string | number): Promise<StoredExecution | undefined>;
	waitForExecution(layout: Layout, executionId: string | number, options?: { timeoutMs?: number; until?: (execution: StoredExecution) => boolean }): Promise<StoredExecution>;
};

/** Exécution lue dans la base SQLite de l'instance. */
export interface StoredExecution {
	id: number;
	status: string;
	finished: number;
	mode: string;
	data?: N8nRun['data'];
}

export interface Layout {
	home: string;
	files: string;
	data: string;
	output: string;
}

export interface N8nRun {
	status: string;
	data: { resultData: { error?: { message: string; description?: string }; runData: Record<string, Array<{ error?: { message: string } }>> } };
}

export { local };

export function workflowFile(name: string): string {
	return path.join(local.ROOT, 'workflows', name);
}

/** Une instance n8n neuve avec le paquet installé, les données d'exemple et les identifiants SMTP. */
export async function prepareInstance(smtpPort: number): Promise<Layout> {
	local.ensureN8n();
	const home = fs.mkdtempSync(path.join(os.tmpdir(), 'clauses-e2e-'));
	const layout = local.createHome(home);
	local.copySampleData(layout);
	const tarball = process.env.CLAUSES_TARBALL ?? local.packPackage(path.join(home, 'pack'));
	local.installPackage(layout, tarball);
	await local.importCredentials(layout, local.localCredentials({ smtpPort }));
	return layout;
}

export function removeInstance(layout: Layout | undefined): void {
	if (layout && process.env.CLAUSES_KEEP_E2E !== '1') fs.rmSync(layout.home, { recursive: true, force: true });
}

export function outputOf(run: N8nRun, nodeName: string, outputIndex = 0) {
	const items = local.nodeOutput(run, nodeName, outputIndex);
	if (items === undefined) {
		const error = run.data.resultData.error;
		throw new Error(`Le nœud « ${nodeName} » n'a pas été exécuté${error ? ` : ${error.message}` : ''}`);
	}
	return items;
}

/**
 * Pour un fichier de tests de bout en bout : un serveur SMTP local et une
 * instance n8n neuve, préparés avant les tests et retirés après.
 */
export function useRealN8n(options: ConstructorParameters<typeof SmtpSink>[0] = {}): { sink: SmtpSink; layout: Layout } {
	const context = {} as { sink: SmtpSink; layout: Layout };
	beforeAll(async () => {
		context.sink = await new SmtpSink(options).start();
		context.layout = await prepareInstance(context.sink.port);
	});
	afterAll(async () => {
		await context.sink?.stop();
		removeInstance(context.layout);
	});
	return context;
}

/** Le registre des clauses de l'instance : par défaut, le fichier SQLite du dossier `.n8n` de n8n. */
export function registerFile(layout: Layout): string {
	return path.join(layout.home, '.n8n', 'clauses-sociales.sqlite');
}

/**
 * Un classeur de suivi d'exemple versé au registre par le workflow livré
 * « import du classeur de suivi », comme le fait un utilisateur qui passe au
 * registre (réglage `classeur` de son nœud « Configuration »).
 */
export async function importSampleWorkbook(layout: Layout, classeur = 'donnees/suivi-clauses.xlsx'): Promise<N8nRun> {
	const id = await local.importWorkflow(layout, workflowFile('import-classeur-suivi.json'), { configuration: { classeur } });
	const run = await local.executeWorkflow(layout, id);
	if (run.status !== 'success' || run.data.resultData.error) {
		throw new Error(`Import de ${classeur} au registre : ${run.status} ${run.data.resultData.error?.message ?? ''}`);
	}
	const [summary] = outputOf(run, 'Importer le classeur de suivi');
	if (summary.json.resultat !== 'synthèse') throw new Error(`Import de ${classeur} : compte rendu inattendu ${JSON.stringify(summary.json)}`);
	return run;
}

/** `scripts/n8n.sh` lancé par runN8nScript. */
export type N8nScript = ReturnType<typeof local.runN8nScript>;

/**
 * Environnement d'une personne qui tape `N8N_PORT=<port> scripts/n8n.sh …` :
 * celui de la machine, sans les variables N8N_* ni celles du lanceur de tests ;
 * CLAUSES_N8N_HOME désigne l'instance (celle de la démonstration par défaut).
 */
export function scriptUserEnv(home: string, port: number): NodeJS.ProcessEnv {
	const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('N8N_') && !key.startsWith('JEST_') && key !== 'NODE_ENV' && key !== 'WEBHOOK_URL'));
	return { ...env, CLAUSES_N8N_HOME: home, N8N_PORT: String(port) };
}

/** Un port libre autre que 5678, le port par défaut de n8n. */
export async function portOtherThanDefault(): Promise<number> {
	let port = await local.freePort();
	while (port === local.DEFAULT_PORT) port = await local.freePort();
	return port;
}

/**
 * `scripts/n8n.sh start` lancé comme par cette personne (scriptUserEnv), sortie
 * dans `logFile`, attendu jusqu'à ce que n8n réponde sur 127.0.0.1:<port> ;
 * une erreur donne la fin du journal.
 */
export async function startN8nScript(home: string, port: number, logFile: string, timeoutMs = 180_000): Promise<N8nScript> {
	const server = local.runN8nScript(['start'], { env: scriptUserEnv(home, port), logFile });
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (server.child.exitCode !== null) throw new Error(`scripts/n8n.sh start s'est arrêté :\n${server.log().slice(-3000)}`);
		try {
			if ((await fetch(`http://127.0.0.1:${port}/healthz/readiness`)).ok) return server;
		} catch {
			// pas encore à l'écoute
		}
		if (Date.now() > deadline) {
			await server.stop();
			throw new Error(`n8n ne répond pas sur le port ${port} après ${Math.round(timeoutMs / 1000)} s :\n${server.log().slice(-3000)}`);
		}
		await new Promise((r) => setTimeout(r, 500));
	}
}
