import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * Le registre des clauses : un fichier SQLite (par défaut, dans le dossier de
 * n8n, rien à installer) ou une base PostgreSQL (instance partagée, exigée en
 * mode file d'attente). Sans cet identifiant, les nœuds utilisent le fichier
 * SQLite par défaut. La connexion se vérifie depuis l'interface de n8n.
 */
export class ClausesRegistreApi implements ICredentialType {
	name = 'clausesRegistreApi';

	displayName = 'Registre des clauses';

	icon: Icon = { light: 'file:clausesRegistreApi.svg', dark: 'file:clausesRegistreApi.dark.svg' };

	documentationUrl = 'https://docs.n8n.io/integrations/builtin/credentials/postgres/';

	properties: INodeProperties[] = [
		{
			displayName: 'Base de données',
			name: 'base',
			type: 'options',
			default: 'sqlite',
			options: [
				{ name: 'SQLite (un fichier sur le serveur n8n)', value: 'sqlite', description: 'Par défaut ; une seule instance n8n' },
				{ name: 'PostgreSQL', value: 'postgres', description: 'Instance partagée ; obligatoire en mode file d’attente (workers)' },
			],
		},
		{
			displayName: 'Fichier SQLite',
			name: 'fichier',
			type: 'string',
			default: '',
			placeholder: '/home/node/.n8n/clauses-sociales.sqlite',
			description: 'Chemin du fichier ; vide : clauses-sociales.sqlite dans le dossier de n8n (.n8n)',
			displayOptions: { show: { base: ['sqlite'] } },
		},
		{
			displayName: 'Hôte',
			name: 'host',
			type: 'string',
			default: 'localhost',
			displayOptions: { show: { base: ['postgres'] } },
		},
		{
			displayName: 'Port',
			name: 'port',
			type: 'number',
			default: 5432,
			displayOptions: { show: { base: ['postgres'] } },
		},
		{
			displayName: 'Base',
			name: 'database',
			type: 'string',
			default: 'clauses_sociales',
			displayOptions: { show: { base: ['postgres'] } },
		},
		{
			displayName: 'Utilisateur',
			name: 'user',
			type: 'string',
			default: '',
			displayOptions: { show: { base: ['postgres'] } },
		},
		{
			displayName: 'Mot de passe',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { base: ['postgres'] } },
		},
		{
			displayName: 'Schéma',
			name: 'schema',
			type: 'string',
			default: 'clauses_sociales',
			description: 'Schéma PostgreSQL des tables du registre, créé au premier usage',
			displayOptions: { show: { base: ['postgres'] } },
		},
		{
			displayName: 'TLS',
			name: 'ssl',
			type: 'options',
			default: 'desactive',
			options: [
				{ name: 'Désactivé (réseau local)', value: 'desactive' },
				{ name: 'Exigé, certificat non vérifié', value: 'exige' },
				{ name: 'Exigé, certificat vérifié', value: 'verifie' },
			],
			displayOptions: { show: { base: ['postgres'] } },
		},
		{
			displayName: 'Certificat de l’autorité (PEM)',
			name: 'ca',
			type: 'string',
			typeOptions: { rows: 4 },
			default: '',
			description: 'Vide : les autorités reconnues par le système',
			displayOptions: { show: { base: ['postgres'], ssl: ['verifie'] } },
		},
		{
			displayName: 'Secret des liens du relevé en ligne',
			name: 'secretLiens',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'32 caractères au moins, tirés au hasard (par exemple : openssl rand -base64 33). Signe les liens personnels des relances vers le formulaire du relevé en ligne ; le changer rend caducs les liens déjà envoyés. Vide : pas de lien dans les relances.',
		},
	];
}
