/**
 * Débit maximal des envois (option « Débit maximal (courriels par seconde) ») sur un
 * vrai serveur SMTP : le défaut livré et un débit inférieur à un courriel par seconde
 * (Exchange Online n'accepte que 30 courriels par minute d'une même boîte).
 */
import { Mailer, rateWindow } from '../../nodes/adapters';
import { SmtpSink } from '../helpers/smtp-sink';

/**
 * nodemailer compte par fenêtres fixes (`rateLimit` courriels, puis attente de la fin de la fenêtre
 * de `rateDelta` ms ouverte au premier) : le k-ième courriel (à partir de 0) n'est pas accepté avant
 * floor(k / rateLimit) fenêtres (50 ms de marge pour l'horloge).
 */
function expectWindows(times: number[], perSecond: number): void {
	const { rateLimit, rateDelta } = rateWindow(perSecond);
	[...times].sort((a, b) => a - b).forEach((t, k) => expect({ k, t: Math.max(t, Math.floor(k / rateLimit) * rateDelta - 50) }).toEqual({ k, t }));
}

/** Instants d'acceptation (ms depuis le premier envoi) de `count` courriels envoyés d'un coup au débit donné. */
async function acceptedAt(sink: SmtpSink, perSecond: number, count: number): Promise<number[]> {
	const mailer = new Mailer({ host: '127.0.0.1', port: sink.port, securite: 'aucune', expediteurEmail: 'clauses-sociales@collectivite.example.test' }, { debitParSeconde: perSecond });
	const start = performance.now();
	try {
		return await Promise.all(
			Array.from({ length: count }, async (_, i) => {
				const outcome = await mailer.send({ to: [`titulaire${i}@example.test`], subject: `Relance ${i}`, text: 'Relance', html: '<p>Relance</p>' });
				expect(outcome.ok).toBe(true);
				return performance.now() - start;
			}),
		);
	} finally {
		mailer.close();
	}
}

describe('débit maximal des envois', () => {
	let sink: SmtpSink;
	beforeEach(async () => {
		sink = await new SmtpSink().start();
	});
	afterEach(async () => {
		await sink.stop();
	});

	it('fenêtre de nodemailer : un nombre entier de courriels, sur une fenêtre allongée sous un courriel par seconde', () => {
		expect(rateWindow(10)).toEqual({ rateLimit: 10, rateDelta: 1000 });
		expect(rateWindow(0.5)).toEqual({ rateLimit: 1, rateDelta: 2000 });
		expect(rateWindow(2.5)).toEqual({ rateLimit: 3, rateDelta: 1200 });
	});

	it('2 par seconde : 5 courriels en deux secondes au moins, 2 par fenêtre d’une seconde', async () => {
		const times = await acceptedAt(sink, 2, 5);
		expect(sink.mails).toHaveLength(5);
		expect(Math.max(...times)).toBeGreaterThanOrEqual(1950);
		expectWindows(times, 2);
	});

	it('0,5 par seconde (30 par minute) : le second courriel attend deux secondes, pas une', async () => {
		const times = await acceptedAt(sink, 0.5, 2);
		expect(sink.mails).toHaveLength(2);
		expect(Math.max(...times)).toBeGreaterThanOrEqual(1950);
		expectWindows(times, 0.5);
	});
});
