import { configWithoutCloudSupport } from '@n8n/node-cli/eslint';

export default [
	...configWithoutCloudSupport,
	{
		// Libellés en français : la casse de titre anglaise (« Taux D'Insertion ») y est
		// une faute de typographie. Voir le README, « Règles du linter non appliquées ».
		files: ['nodes/**/*.ts', 'credentials/**/*.ts'],
		rules: {
			'n8n-nodes-base/node-param-display-name-miscased': 'off',
			'n8n-nodes-base/cred-class-field-display-name-miscased': 'off',
			// Description d'un booléen commençant par « Whether » : impose l'anglais dans une
			// interface en français. Voir le README, « Règles du linter non appliquées ».
			'n8n-nodes-base/node-param-description-boolean-without-whether': 'off',
		},
	},
	{
		// « Registre des clauses » : un libellé français, pas « … API » (ce n'est pas une API
		// distante mais la base de données du registre).
		files: ['credentials/ClausesRegistreApi.credentials.ts'],
		rules: { 'n8n-nodes-base/cred-class-field-display-name-missing-api': 'off' },
	},
	{
		// L'approbation attend sur les webhooks de reprise de n8n (restartWebhook, comme le
		// nœud Wait) : aucun webhook à créer chez un service tiers, donc pas de webhookMethods ;
		// et c'est une décision humaine qui met l'exécution en attente, pas un outil d'agent
		// (n8n-workflow n'admet pas `usableAsTool: false`). Voir docs/technique.md,
		// « Règles du linter non appliquées ».
		files: ['nodes/ClauseApproval/ClauseApproval.node.ts'],
		rules: {
			'@n8n/community-nodes/webhook-lifecycle-complete': 'off',
			'@n8n/community-nodes/node-usable-as-tool': 'off',
		},
	},
	{
		// Le registre (adaptateur, sans n8n) lève ses propres erreurs en français ; le nœud les
		// convertit en NodeOperationError à sa frontière (nodes/shared/register.ts, openRegister).
		files: ['nodes/adapters/register/**/*.ts'],
		rules: { '@n8n/community-nodes/require-node-api-error': 'off' },
	},
	{
		// Le paquet n'est pas publié (ni sur le registre npm ni ailleurs) : il n'a pas de
		// page d'accueil, et une adresse inventée mènerait à une page qui n'existe pas.
		// Voir le README, « Règles du linter non appliquées ».
		files: ['package.json'],
		rules: {
			'@n8n/community-nodes/require-homepage': 'off',
		},
	},
];
