/**
 * Morceaux de description communs à plusieurs nœuds, quand c'est la même
 * propriété (même nom, même sens, même texte) : écrits une fois ici.
 */
import type { INodeCredentialDescription, INodeProperties } from 'n8n-workflow';

/**
 * Identifiants d'un nœud qui envoie des courriels au titulaire et les consigne au
 * registre des clauses : SMTP exigé en mode « envoyer » seulement, registre
 * facultatif (SQLite du dossier de n8n sans lui).
 */
export function sendingCredentials(): INodeCredentialDescription[] {
	return [
		{
			name: 'clausesSocialesSmtpApi',
			required: true,
			testedBy: 'clausesSocialesSmtpTest',
			displayOptions: { show: { mode: ['envoyer'] } },
		},
		{
			name: 'clausesRegistreApi',
			required: false,
			testedBy: 'clausesRegistreTest',
		},
	];
}

/** Nom de la collectivité porté en tête des documents produits. */
export function regionProperty(): INodeProperties {
	return {
		displayName: 'Collectivité',
		name: 'region',
		type: 'string',
		default: '',
		placeholder: 'Région Val-d’Argent',
	};
}

/** La collection « Options » d'un nœud : ses options facultatives, triées par nom affiché. */
export function optionsCollection(options: NonNullable<INodeProperties['options']>): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Ajouter une option',
		default: {},
		options,
	};
}
