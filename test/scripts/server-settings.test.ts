/**
 * Réglages du serveur local (scripts/n8n.sh, démonstration) : 127.0.0.1 et le
 * port 5678 par défaut, port et hôte de l'appelant gardés, liens dérivés du port
 * et de l'hôte réellement utilisés, sauf adresses publiques données.
 */
import { local } from '../helpers/real-n8n';

describe('serverSettings', () => {
	it('écoute sur 127.0.0.1:5678 par défaut, liens vers cette adresse', () => {
		expect(local.serverSettings({})).toEqual({
			port: 5678,
			listenAddress: '127.0.0.1',
			webhookUrl: 'http://127.0.0.1:5678/',
			editorUrl: 'http://127.0.0.1:5678/',
			env: {
				N8N_PORT: '5678',
				N8N_LISTEN_ADDRESS: '127.0.0.1',
				WEBHOOK_URL: 'http://127.0.0.1:5678/',
				N8N_EDITOR_BASE_URL: 'http://127.0.0.1:5678/',
			},
		});
	});

	it('suit le port et l’adresse choisis', () => {
		expect(local.serverSettings({ N8N_PORT: '5800' }).webhookUrl).toBe('http://127.0.0.1:5800/');
		expect(local.serverSettings({ N8N_PORT: '5800', N8N_LISTEN_ADDRESS: '::1' }).editorUrl).toBe('http://[::1]:5800/');
		expect(local.serverSettings({ N8N_LISTEN_ADDRESS: '0.0.0.0' }).webhookUrl).toBe('http://localhost:5678/');
		expect(local.serverSettings({ N8N_LISTEN_ADDRESS: '0.0.0.0', N8N_HOST: 'n8n.region.example', N8N_PROTOCOL: 'https', N8N_PORT: '443' }).webhookUrl).toBe(
			'https://n8n.region.example:443/',
		);
	});

	it('garde les adresses publiques données par l’appelant', () => {
		const settings = local.serverSettings({ N8N_PORT: '5800', WEBHOOK_URL: 'https://n8n.region.example/', N8N_EDITOR_BASE_URL: 'https://n8n.region.example/editeur/' });
		expect(settings.env.WEBHOOK_URL).toBe('https://n8n.region.example/');
		expect(settings.env.N8N_EDITOR_BASE_URL).toBe('https://n8n.region.example/editeur/');
		expect(settings.env.N8N_PORT).toBe('5800');
	});

	it('refuse un port qui n’en est pas un', () => {
		expect(() => local.serverSettings({ N8N_PORT: 'cinq' })).toThrow('N8N_PORT invalide : « cinq »');
	});
});
