/**
 * Le serveur SMTP des tests (test/helpers/smtp-sink.ts) face à des clients qui
 * coupent leur connexion, comme n8n tué en plein envoi par les tests d'arrêt
 * brutal : le serveur garde l'erreur et continue de recevoir.
 */
import net from 'node:net';

import { SmtpSink } from '../helpers/smtp-sink';

/** Une session jusqu'au milieu du message, puis une coupure brutale (RST : ECONNRESET côté serveur). */
async function resetDuringData(port: number): Promise<void> {
	const socket = net.connect(port, '127.0.0.1');
	const replies: string[] = [];
	let wake: (() => void) | undefined;
	socket.on('data', (chunk) => {
		replies.push(String(chunk));
		wake?.();
	});
	const reply = async (code: string) => {
		while (!replies.some((r) => r.split('\r\n').some((line) => line.startsWith(`${code} `)))) {
			await new Promise<void>((resolve) => {
				wake = resolve;
			});
		}
		replies.splice(0);
	};
	await reply('220');
	for (const [command, code] of [['EHLO client', '250'], ['MAIL FROM:<a@example.test>', '250'], ['RCPT TO:<b@example.test>', '250'], ['DATA', '354']]) {
		socket.write(`${command}\r\n`);
		await reply(code);
	}
	socket.write('Subject: coupé\r\n\r\nDébut du message');
	socket.resetAndDestroy();
	await new Promise((resolve) => setTimeout(resolve, 100));
}

describe('serveur SMTP des tests', () => {
	it('trois clients coupés en plein message : erreurs gardées, le serveur reçoit encore', async () => {
		const sink = await new SmtpSink().start();
		try {
			for (let i = 0; i < 3; i++) await resetDuringData(sink.port);
			expect(sink.connectionErrors.length).toBeGreaterThanOrEqual(2);
			expect(sink.connectionErrors.map((e) => (e as NodeJS.ErrnoException).code)).toContain('ECONNRESET');
			// Toujours à l'écoute : une nouvelle session est saluée.
			const socket = net.connect(sink.port, '127.0.0.1');
			const greeting = await new Promise<string>((resolve, reject) => {
				socket.once('data', (chunk) => resolve(String(chunk)));
				socket.once('error', reject);
			});
			socket.end('QUIT\r\n');
			expect(greeting).toMatch(/^220 /);
		} finally {
			await sink.stop();
		}
	});
});
