/**
 * Lecture des paramètres des nœuds (nodes/shared/parameters.ts) : chaque valeur
 * passe par un schéma ; une valeur d'un autre type (expression qui rend autre
 * chose) devient une erreur française qui nomme le paramètre et l'élément.
 */
import type { IExecuteFunctions, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { booleanParameter, choiceParameter, collectionParameter, failedItem, textParameter } from '../../nodes/lib';

function context(parameters: Record<string, unknown>, continueOnFail = false): IExecuteFunctions {
	const node: INode = { id: '1', name: 'Nœud testé', type: 'test', typeVersion: 1, position: [0, 0], parameters: {} };
	const fake = {
		getNode: () => node,
		getNodeParameter: (name: string, _itemIndex: number, fallback?: unknown) => (name in parameters ? parameters[name] : fallback),
		continueOnFail: () => continueOnFail,
	};
	return fake as unknown as IExecuteFunctions; // faux contexte : seules ces trois fonctions servent
}

describe('paramètres des nœuds', () => {
	it('rend les valeurs du bon type, ou le défaut', () => {
		const ctx = context({ nom: 'fiche.xlsx', actif: true, mode: 'envoyer', options: { a: 1 } });
		expect(textParameter(ctx, 'nom')).toBe('fiche.xlsx');
		expect(textParameter(ctx, 'absent', 0, 'data')).toBe('data');
		expect(booleanParameter(ctx, 'actif')).toBe(true);
		expect(choiceParameter(ctx, 'mode', ['apercu', 'envoyer'])).toBe('envoyer');
		expect(collectionParameter(ctx)).toEqual({ a: 1 });
		expect(collectionParameter(ctx, 'vide')).toEqual({});
	});

	it.each([
		['nom', 42, 'un texte'],
		['actif', 'oui', 'oui ou non'],
		['mode', 'partout', 'une des valeurs proposées'],
		['options', [1], 'une collection d’options'],
	])('« %s » = %j : erreur qui nomme le paramètre et l’élément', (name, value, what) => {
		const ctx = context({ [name]: value });
		const read = () =>
			name === 'nom' ? textParameter(ctx, name, 2) : name === 'actif' ? booleanParameter(ctx, name, 2) : name === 'mode' ? choiceParameter(ctx, name, ['apercu', 'envoyer'], 2) : collectionParameter(ctx, name, 2);
		expect(read).toThrow(NodeOperationError);
		expect(read).toThrow(`Paramètre « ${name} » : ${what} est attendu`);
		try {
			read();
		} catch (error) {
			expect((error as NodeOperationError).context.itemIndex).toBe(2);
		}
	});

	it('élément en échec : élément d’erreur avec « continuer en cas d’échec », sinon l’erreur n8n', () => {
		expect(failedItem(context({}, true), new Error('boum'), 3, { x: 1 })).toMatchObject({ json: { details: { donnees: { x: 1 } } }, pairedItem: { item: 3 } });
		expect(() => failedItem(context({}), new Error('boum'), 3)).toThrow('élément 4');
	});
});
