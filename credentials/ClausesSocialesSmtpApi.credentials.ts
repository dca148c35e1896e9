import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * Serveur SMTP de la collectivité pour les courriels des clauses sociales
 * (relances, avis). La connexion se vérifie depuis l'interface de n8n : les
 * nœuds qui l'utilisent déclarent le test « clausesSocialesSmtpTest ».
 */
export class ClausesSocialesSmtpApi implements ICredentialType {
	name = 'clausesSocialesSmtpApi';

	displayName = 'SMTP (clauses sociales)';

	icon: Icon = { light: 'file:clausesSocialesSmtpApi.svg', dark: 'file:clausesSocialesSmtpApi.dark.svg' };

	// Le paquet n'est pas publié et n'a pas de page à lui : le lien « docs » de la
	// fenêtre de l'identifiant mène à la page de n8n sur les identifiants SMTP
	// (hôte, port, SSL/TLS, STARTTLS, utilisateur), les mêmes réglages qu'ici.
	documentationUrl = 'https://docs.n8n.io/integrations/builtin/credentials/send-email/';

	properties: INodeProperties[] = [
		{
			displayName: 'Hôte',
			name: 'host',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'smtp.region.fr',
		},
		{
			displayName: 'Port',
			name: 'port',
			type: 'number',
			default: 587,
			description: '587 pour STARTTLS, 465 pour TLS implicite, 25 ou 1025 sans chiffrement (réseau local)',
		},
		{
			displayName: 'Sécurité',
			name: 'securite',
			type: 'options',
			default: 'starttls',
			options: [
				{ name: 'STARTTLS (port 587)', value: 'starttls' },
				{ name: 'TLS implicite (port 465)', value: 'tls' },
				{ name: 'Aucune (réseau local uniquement)', value: 'aucune' },
			],
		},
		{
			displayName: 'Utilisateur',
			name: 'user',
			type: 'string',
			default: '',
			description: 'Laisser vide si le serveur n’exige pas d’authentification',
		},
		{
			displayName: 'Mot de passe',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
		},
		{
			displayName: 'Nom de l’expéditeur',
			name: 'expediteurNom',
			type: 'string',
			default: '',
			placeholder: 'Mission clauses sociales – Région Val-d’Argent',
		},
		{
			displayName: 'Adresse de l’expéditeur',
			name: 'expediteurEmail',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'clauses-sociales@region.fr',
		},
		{
			displayName: 'Adresse de réponse',
			name: 'repondreA',
			type: 'string',
			default: '',
			description: 'Où arrivent les réponses des titulaires (par ex. la boîte du facilitateur) ; vide : l’expéditeur',
		},
		{
			displayName: 'Accepter les certificats non vérifiés',
			name: 'tlsSansVerification',
			type: 'boolean',
			default: false,
			description: 'Accepter un certificat TLS autosigné ou expiré (à éviter hors d’un environnement de test)',
		},
		{
			displayName: 'Délai de connexion (s)',
			name: 'delaiConnexion',
			type: 'number',
			default: 10,
			typeOptions: { minValue: 1, maxValue: 300 },
			description: 'Temps laissé au serveur pour accepter la connexion',
		},
		{
			displayName: 'Délai d’accueil (s)',
			name: 'delaiAccueil',
			type: 'number',
			default: 10,
			typeOptions: { minValue: 1, maxValue: 300 },
			description: 'Temps laissé au serveur, une fois connecté, pour se présenter (bannière 220)',
		},
		{
			displayName: 'Délai d’inactivité (s)',
			name: 'delaiInactivite',
			type: 'number',
			default: 20,
			typeOptions: { minValue: 1, maxValue: 600 },
			description: 'Silence du serveur au-delà duquel un envoi en cours est abandonné (il sera retenté à la prochaine exécution)',
		},
		{
			displayName: 'Durée maximale des envois d’une exécution (s)',
			name: 'dureeMaxEnvois',
			type: 'number',
			default: 600,
			typeOptions: { minValue: 0 },
			description: 'Au-delà, les courriels restants ne sont pas tentés : ils sont rapportés « non envoyés » et partiront à la prochaine exécution. 0 : sans limite.',
		},
	];
}
