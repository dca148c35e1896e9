/**
 * Port du courtier des tâches de chaque n8n lancé par les tests et les scripts :
 * tiré par le système, et tiré de nouveau quand n8n le trouve pris entre-temps
 * (n8n s'arrête alors sans rien exécuter).
 */
import { local } from '../helpers/real-n8n';

const taken = (port: string) =>
	Object.assign(new Error('n8n execute a échoué (code 1)'), { stderr: `n8n Task Broker's port ${port} is already in use. Do you have another instance of n8n running already?` });

describe('withFreeBrokerPort', () => {
	it('tire un port libre et le donne à n8n', async () => {
		const seen: Array<Record<string, string>> = [];
		await expect(local.withFreeBrokerPort({ N8N_LOG_LEVEL: 'info' }, async (env) => (seen.push(env), 'fait'))).resolves.toBe('fait');
		expect(seen).toHaveLength(1);
		expect(seen[0].N8N_LOG_LEVEL).toBe('info');
		expect(Number(seen[0].N8N_RUNNERS_BROKER_PORT)).toBeGreaterThan(0);
	});

	it('recommence avec un autre port quand n8n trouve le sien pris', async () => {
		const ports: string[] = [];
		const result = await local.withFreeBrokerPort({}, async (env) => {
			ports.push(env.N8N_RUNNERS_BROKER_PORT);
			if (ports.length < 3) throw taken(env.N8N_RUNNERS_BROKER_PORT);
			return 'fait';
		});
		expect(result).toBe('fait');
		expect(ports).toHaveLength(3);
	});

	it('abandonne après trois ports pris, avec l’erreur de n8n', async () => {
		let calls = 0;
		await expect(local.withFreeBrokerPort({}, async (env) => (calls++, Promise.reject(taken(env.N8N_RUNNERS_BROKER_PORT))))).rejects.toThrow('a échoué');
		expect(calls).toBe(3);
	});

	it('ne recommence pas une autre erreur, ni un port fixé par l’appelant', async () => {
		let calls = 0;
		await expect(local.withFreeBrokerPort({}, async () => (calls++, Promise.reject(new Error('workflow en erreur'))))).rejects.toThrow('workflow en erreur');
		expect(calls).toBe(1);
		const fixed: string[] = [];
		await expect(local.withFreeBrokerPort({ N8N_RUNNERS_BROKER_PORT: '5999' }, async (env) => (fixed.push(env.N8N_RUNNERS_BROKER_PORT), Promise.reject(taken('5999'))))).rejects.toThrow();
		expect(fixed).toEqual(['5999']);
	});
});
