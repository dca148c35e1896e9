/**
 * Traitement d'une liste avec un nombre borné de tâches en cours : la mémoire
 * reste celle de `limit` tâches, quel que soit le nombre d'éléments (un envoi
 * de 2 500 courriels ne prépare pas 2 500 messages à la fois).
 */
export async function forEachLimited<T>(
	items: readonly T[],
	limit: number,
	task: (item: T, index: number) => Promise<void>,
): Promise<void> {
	let next = 0;
	const worker = async () => {
		while (next < items.length) {
			const index = next++;
			await task(items[index], index);
		}
	};
	const workers = Math.max(1, Math.min(Math.floor(limit) || 1, items.length));
	await Promise.all(Array.from({ length: workers }, worker));
}
