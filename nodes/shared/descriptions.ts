/**
 * Morceaux de description communs à plusieurs nœuds, quand c'est la même
 * propriété (même nom, même sens, même texte) : écrits une fois ici.
 */
import type { INodeCredentialDescription, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

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

/**
 * La collection « Options » d'un nœud : ses options facultatives, triées par
 * nom affiché ; `displayOptions` quand elle ne se montre que pour certaines
 * opérations.
 */
export function optionsCollection(options: NonNullable<INodeProperties['options']>, displayOptions?: INodeProperties['displayOptions']): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Ajouter une option',
		default: {},
		...(displayOptions === undefined ? {} : { displayOptions }),
		options,
	};
}

/**
 * « Source du suivi » d'un nœud qui lit les clauses et les relevés (registre
 * par défaut) : les choix, triés par nom, et leurs descriptions sont propres
 * au nœud.
 */
export function followUpSourceProperty(options: INodePropertyOptions[]): INodeProperties {
	return {
		displayName: 'Source du suivi',
		name: 'source',
		type: 'options',
		default: 'registre',
		options,
	};
}

/** Champ binaire qui porte le classeur de suivi, pour la source « classeur ». */
export function workbookBinaryProperty(description?: string): INodeProperties {
	return {
		displayName: 'Champ binaire du classeur',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		displayOptions: { show: { source: ['classeur'] } },
		...(description === undefined ? {} : { description }),
	};
}
