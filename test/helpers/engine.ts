/**
 * Banc d'essai sur le moteur de n8n lui-même : les types de nœuds de ce paquet
 * sont chargés depuis dist/ par le chargeur de paquets de n8n-core
 * (PackageDirectoryLoader, comme pour un paquet communautaire) et exécutés par
 * WorkflowExecute. Rien n'est simulé du moteur ; seuls les services
 * d'instance (identifiants, stockage des éléments déjà traités) sont fournis
 * ici en mémoire.
 */
import { DataDeduplicationService, ExecutionLifecycleHooks, PackageDirectoryLoader, WorkflowExecute } from 'n8n-core';
import type {
	DeduplicationItemTypes,
	DeduplicationScope,
	ICheckProcessedContextData,
	ICheckProcessedOptions,
	IDataDeduplicator,
	IDeduplicationOutput,
	ICredentialDataDecryptedObject,
	ICredentials,
	IDataObject,
	IExecuteFunctions,
	INode,
	INodeCredentialsDetails,
	INodeExecutionData,
	INodeType,
	INodeTypes,
	IRun,
	ITaskData,
	IVersionedNodeType,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	IConnections,
} from 'n8n-workflow';
import { ICredentialsHelper, NodeConnectionTypes, NodeHelpers, Workflow } from 'n8n-workflow';
import path from 'node:path';
import { existsSync, rmSync } from 'node:fs';

import type { MessageRow } from '../../nodes/adapters/register';
import { Register, SqliteDatabase } from '../../nodes/adapters/register';

export const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');
export const PACKAGE_NAME = 'n8n-nodes-clauses-sociales';

/** Nœud d'amorce du banc : émet les éléments (JSON et binaires) qu'on lui donne. */
class TestItemsNode implements INodeType {
	description = {
		displayName: 'Éléments de test',
		name: 'items',
		group: ['input'],
		version: 1,
		description: 'Émet les éléments fournis par le test',
		defaults: { name: 'Éléments' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		properties: [{ displayName: 'Jeu de données', name: 'dataKey', type: 'string', default: '' }],
	} as unknown as INodeType['description'];

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const key = this.getNodeParameter('dataKey', 0) as string;
		const items = testData.get(key) ?? [];
		return [items.map((item, index) => ({ ...item, pairedItem: { item: index } }))];
	}
}

/** Éléments confiés au nœud d'amorce, par clé (les paramètres d'un nœud ne portent que du texte). */
const testData = new Map<string, INodeExecutionData[]>();
let dataCounter = 0;

/** Confie des éléments au nœud d'amorce (type « harness.items ») et renvoie la clé à lui passer en paramètre « dataKey ». */
export function useItems(items: INodeExecutionData[]): string {
	const key = `jeu-${++dataCounter}`;
	testData.set(key, items);
	return key;
}

const TEST_ITEMS_TYPE = 'harness.items';

/**
 * Mémoire des éléments déjà traités (checkProcessedAndRecord), en mémoire :
 * dans n8n, c'est la base de données de l'instance qui la porte.
 */
export class MemoryDeduplicator implements IDataDeduplicator {
	readonly stores = new Map<string, string[]>();
	/** Nombre d'appels à checkProcessedAndRecord, pour vérifier les lots d'appels. */
	calls = 0;

	private key(scope: DeduplicationScope, context: ICheckProcessedContextData): string {
		return scope === 'node' ? `${context.workflow.id}:${context.node?.id ?? ''}` : context.workflow.id;
	}

	async checkProcessedAndRecord(
		items: DeduplicationItemTypes[],
		scope: DeduplicationScope,
		context: ICheckProcessedContextData,
		options: ICheckProcessedOptions,
	): Promise<IDeduplicationOutput> {
		this.calls++;
		const key = this.key(scope, context);
		const store = this.stores.get(key) ?? [];
		const result: IDeduplicationOutput = { new: [], processed: [] };
		for (const item of items) {
			const value = String(item);
			if (store.includes(value)) result.processed.push(item);
			else {
				result.new.push(item);
				store.push(value);
			}
		}
		const max = options.maxEntries ?? Infinity;
		this.stores.set(key, store.length > max ? store.slice(store.length - max) : store);
		return result;
	}

	async removeProcessed(items: DeduplicationItemTypes[], scope: DeduplicationScope, context: ICheckProcessedContextData): Promise<void> {
		const key = this.key(scope, context);
		const remove = new Set(items.map(String));
		this.stores.set(key, (this.stores.get(key) ?? []).filter((value) => !remove.has(value)));
	}

	async clearAllProcessedItems(scope: DeduplicationScope, context: ICheckProcessedContextData): Promise<void> {
		this.stores.delete(this.key(scope, context));
	}

	async getProcessedDataCount(scope: DeduplicationScope, context: ICheckProcessedContextData): Promise<number> {
		return (this.stores.get(this.key(scope, context)) ?? []).length;
	}

	reset(): void {
		this.stores.clear();
		this.calls = 0;
	}
}

export const deduplicator = new MemoryDeduplicator();

let loaderPromise: Promise<PackageDirectoryLoader> | undefined;

/** Charge le paquet construit (dist/) avec le chargeur de n8n, une fois par fichier de test. */
export function loadPackage(): Promise<PackageDirectoryLoader> {
	loaderPromise ??= (async () => {
		await DataDeduplicationService.init(deduplicator);
		const loader = new PackageDirectoryLoader(PACKAGE_ROOT);
		await loader.loadAll();
		return loader;
	})();
	return loaderPromise;
}

export class HarnessNodeTypes implements INodeTypes {
	constructor(private readonly loader: PackageDirectoryLoader) {}

	getByName(type: string): INodeType | IVersionedNodeType {
		if (type === TEST_ITEMS_TYPE) return new TestItemsNode();
		const short = type.startsWith(`${PACKAGE_NAME}.`) ? type.slice(PACKAGE_NAME.length + 1) : undefined;
		if (short === undefined) throw new Error(`Type de nœud inconnu du banc : ${type}`);
		return this.loader.getNode(short).type;
	}

	getByNameAndVersion(type: string, version?: number): INodeType {
		return NodeHelpers.getVersionedNodeType(this.getByName(type), version);
	}

	getKnownTypes(): IDataObject {
		return this.loader.known.nodes as unknown as IDataObject;
	}
}

/** Identifiants en mémoire, par type d'identifiant. */
class MemoryCredentialsHelper extends ICredentialsHelper {
	constructor(private readonly credentials: Record<string, ICredentialDataDecryptedObject>) {
		super();
	}
	getParentTypes(): string[] {
		return [];
	}
	isCredentialUsableByNode(): boolean {
		return true;
	}
	async authenticate(_c: ICredentialDataDecryptedObject, _t: string, options: never): Promise<never> {
		return options;
	}
	async preAuthentication(): Promise<undefined> {
		return undefined;
	}
	async runPreAuthentication(): Promise<undefined> {
		return undefined;
	}
	async getCredentials(_details: INodeCredentialsDetails, type: string): Promise<ICredentials> {
		throw new Error(`getCredentials(${type}) n'est pas fourni par le banc`);
	}
	async getDecrypted(_a: IWorkflowExecuteAdditionalData, _d: INodeCredentialsDetails, type: string): Promise<ICredentialDataDecryptedObject> {
		const found = this.credentials[type];
		if (!found) throw new Error(`Aucun identifiant de type ${type} fourni au banc`);
		return found;
	}
	async updateCredentials(): Promise<void> {}
	async updateCredentialsOauthTokenData(): Promise<void> {}
	getCredentialsProperties(): never[] {
		return [];
	}
}

export interface RunOptions {
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	/** Mode d'exécution n8n ('manual' par défaut, 'trigger' pour une exécution planifiée). */
	mode?: 'manual' | 'trigger' | 'cli';
	executionId?: string;
	staticData?: IDataObject;
	/** Nœud de départ (par défaut : le déclencheur, sinon le premier nœud sans parent). */
	startNode?: string;
	/**
	 * Reprise d'une exécution laissée en attente (putExecutionToWait) : ses données,
	 * telles que n8n les reprend. `waitTill` encore posé : délai expiré, le nœud en
	 * attente est désactivé par le moteur et laisse passer son entrée (comme le
	 * WaitTracker) ; `decision` : la reprise par le webhook du nœud, qui rend ces
	 * éléments sur ses sorties (comme les webhooks de reprise de n8n).
	 */
	resumeFrom?: { run: IRun; decision?: INodeExecutionData[][] };
}

export interface RunResult {
	run: IRun;
	/** Éléments de la première sortie de chaque nœud, dernier passage. */
	output(nodeName: string, outputIndex?: number): INodeExecutionData[];
	/** Erreur levée par un nœud, s'il y en a une. */
	error(nodeName?: string): ITaskData['error'] | undefined;
}

let executionCounter = 0;

/** Exécute un workflow (nœuds de ce paquet et nœud d'amorce) sur le moteur de n8n. */
export async function runWorkflow(
	workflowData: Pick<IWorkflowBase, 'nodes' | 'connections'> & { settings?: IWorkflowBase['settings'] },
	options: RunOptions = {},
): Promise<RunResult> {
	const loader = await loadPackage();
	const nodeTypes = new HarnessNodeTypes(loader);
	const workflow = new Workflow({
		id: 'banc',
		name: 'banc',
		nodes: workflowData.nodes,
		connections: workflowData.connections,
		active: false,
		nodeTypes,
		staticData: options.staticData,
		settings: workflowData.settings ?? { executionOrder: 'v1' },
	});
	const executionId = options.executionId ?? `banc-${++executionCounter}`;
	const mode = options.mode ?? 'manual';
	const hooks = new ExecutionLifecycleHooks(mode, executionId, {
		id: 'banc',
		name: 'banc',
		nodes: workflowData.nodes,
		connections: workflowData.connections,
		active: false,
		isArchived: false,
		createdAt: new Date(),
		updatedAt: new Date(),
		activeVersionId: null,
	} as unknown as IWorkflowBase);
	let resolveRun!: (run: IRun) => void;
	const finished = new Promise<IRun>((resolve) => (resolveRun = resolve));
	hooks.addHandler('workflowExecuteAfter', (fullRunData) => resolveRun(fullRunData));
	const additionalData = {
		credentialsHelper: new MemoryCredentialsHelper(options.credentials ?? {}),
		hooks,
		executionId,
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://localhost:5678/rest',
		instanceBaseUrl: 'http://localhost:5678/',
		formBaseUrl: 'http://localhost:5678/form',
		formWaitingBaseUrl: 'http://localhost:5678/form-waiting',
		formTestBaseUrl: 'http://localhost:5678/form-test',
		webhookBaseUrl: 'http://localhost:5678/webhook',
		webhookWaitingBaseUrl: 'http://localhost:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://localhost:5678/webhook-test',
		mcpBaseUrl: 'http://localhost:5678/mcp',
		mcpTestBaseUrl: 'http://localhost:5678/mcp-test',
		variables: {},
		logAiEvent: () => undefined,
		executeWorkflow: async () => {
			throw new Error('Sous-workflows non pris en charge par le banc');
		},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		startRunnerTask: async () => {
			throw new Error('Task runner non pris en charge par le banc');
		},
	} as unknown as IWorkflowExecuteAdditionalData;

	const startNode =
		(options.startNode ? workflow.getNode(options.startNode) : undefined) ??
		workflow.getStartNode() ??
		workflowData.nodes.find((node) => workflow.getParentNodes(node.name).length === 0);
	if (options.resumeFrom) {
		const data = options.resumeFrom.run.data;
		const decision = options.resumeFrom.decision;
		if (decision) {
			// Comme n8n 2.40.7 à la reprise par webhook (waiting-webhooks.js, webhook-helpers.js :
			// prepareExecutionData) : nœud désactivé, ses sorties remplacées par celles du webhook.
			const entry = data.executionData!.nodeExecutionStack[0];
			entry.node.disabled = true;
			entry.data.main = decision;
			entry.metadata = { ...entry.metadata, forwardAllOutputs: true };
			data.waitTill = undefined;
		}
		await new WorkflowExecute(additionalData, mode, data).processRunExecutionData(workflow);
	} else {
		const execution = new WorkflowExecute(additionalData, mode);
		await execution.run({ workflow, startNode });
	}
	const run = await finished;
	const runData = run.data.resultData.runData;
	return {
		run,
		output(nodeName, outputIndex = 0) {
			const tasks = runData[nodeName];
			if (!tasks || tasks.length === 0) {
				const error = run.data.resultData.error;
				throw new Error(`Le nœud « ${nodeName} » n'a pas été exécuté${error ? ` : ${error.message}` : ''}`);
			}
			return tasks[tasks.length - 1].data?.main?.[outputIndex] ?? [];
		},
		error(nodeName) {
			if (nodeName === undefined) return run.data.resultData.error;
			const tasks = runData[nodeName];
			return tasks?.[tasks.length - 1]?.error;
		},
	};
}

export interface NodeUnderTest {
	/** Nom court du type, par ex. « clauseCalibration ». */
	type: string;
	parameters?: INode['parameters'];
	credentials?: INode['credentials'];
	name?: string;
	onError?: INode['onError'];
	continueOnFail?: boolean;
	typeVersion?: number;
}

/** Exécute un nœud de ce paquet sur des éléments d'entrée, derrière le nœud d'amorce. */
export async function runNode(
	node: NodeUnderTest,
	items: INodeExecutionData[] | IDataObject[],
	options: RunOptions = {},
): Promise<RunResult & { items: INodeExecutionData[]; errorItems: INodeExecutionData[] }> {
	const name = node.name ?? 'Nœud testé';
	const inputItems = (items as Array<INodeExecutionData | IDataObject>).map((item) =>
		'json' in item && typeof item.json === 'object' ? (item as INodeExecutionData) : { json: item as IDataObject },
	);
	const dataKey = useItems(inputItems);
	const nodes: INode[] = [
		{
			id: 'amorce',
			name: 'Éléments',
			type: TEST_ITEMS_TYPE,
			typeVersion: 1,
			position: [0, 0],
			parameters: { dataKey },
		},
		{
			id: 'teste',
			name,
			type: `${PACKAGE_NAME}.${node.type}`,
			typeVersion: node.typeVersion ?? 1,
			position: [200, 0],
			parameters: node.parameters ?? {},
			credentials: node.credentials,
			onError: node.onError,
			continueOnFail: node.continueOnFail,
		},
	];
	const connections: IConnections = {
		Éléments: { main: [[{ node: name, type: NodeConnectionTypes.Main, index: 0 }]] },
	};
	const result = await runWorkflow({ nodes, connections }, options).finally(() => testData.delete(dataKey));
	const tasks = result.run.data.resultData.runData[name];
	const main = tasks?.[tasks.length - 1]?.data?.main ?? [];
	return { ...result, items: main[0] ?? [], errorItems: main[1] ?? [] };
}

/** Élément n8n portant un fichier en binaire (données en ligne, comme après « Read/Write Files from Disk »). */
export function binaryItem(
	buffer: Buffer,
	fileName: string,
	mimeType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
	json: IDataObject = {},
): INodeExecutionData {
	return {
		json,
		binary: { data: { data: buffer.toString('base64'), mimeType, fileName, fileExtension: fileName.split('.').pop() } },
	};
}

/** Le registre par défaut des nœuds (fichier SQLite dans le dossier de n8n de ce processus de test). */
export function defaultRegisterPath(): string {
	return path.join(String(process.env.N8N_USER_FOLDER), '.n8n', 'clauses-sociales.sqlite');
}

/** Repart d'un registre vide (comme une instance neuve). */
export function resetRegister(): void {
	for (const suffix of ['', '-wal', '-shm']) rmSync(defaultRegisterPath() + suffix, { force: true });
}

/** Les envois consignés dans le registre par défaut. */
export async function registerMessages(): Promise<MessageRow[]> {
	if (!existsSync(defaultRegisterPath())) return [];
	const register = await Register.open(await SqliteDatabase.open({ file: defaultRegisterPath() }));
	try {
		return await register.messages();
	} finally {
		await register.close();
	}
}
