/**
 * Ce que le serveur SMTP a reçu après une coupure puis une reprise, confronté
 * au statut que la reprise rapporte pour chaque courriel dû (par Message-ID) :
 * « déjà envoyé » reçu une fois ; « envoyé » reçu une fois, et seulement après
 * la coupure ; « incertain » (réservé avant la coupure, non confirmé) renvoyé
 * sous le même Message-ID, reçu deux fois au plus. Rien de perdu, rien d'autre.
 */
export function expectEachDueMailOnce(due: ReadonlySet<string>, statuses: ReadonlyMap<string, string | undefined>, before: ReadonlyMap<string, number>, after: ReadonlyMap<string, number>): void {
	expect(new Set(after.keys())).toEqual(due);
	for (const messageId of due) {
		const status = statuses.get(messageId);
		const count = after.get(messageId);
		if (status === 'déjà envoyé') expect({ messageId, count }).toEqual({ messageId, count: 1 });
		else if (status === 'envoyé') expect({ messageId, count, avant: before.has(messageId) }).toEqual({ messageId, count: 1, avant: false });
		else {
			expect(status).toBe('incertain');
			expect(count).toBeLessThanOrEqual(2);
		}
	}
}
