/**
 * Limites de lecture des fichiers déposés (classeurs .xlsx) : taille
 * décompressée de chaque partie de l'archive et du fichier entier, nombre de
 * lignes d'une feuille et de cellules du fichier. Elles sont vérifiées pendant
 * la décompression et la lecture, jamais après : un fichier qui les dépasse
 * (par exemple une « bombe zip », 1 Mo qui se décompresse en 1 Gio) est refusé
 * avant d'occuper la mémoire ou le disque.
 *
 * Défauts : le plus gros classeur de suivi mesuré (300 000 lignes de relevés,
 * bench/releves-bilan.bench.mjs) a une feuille de 180 Mio de XML ; 256 Mio par
 * partie et 512 Mio par fichier le laissent passer. Une feuille Excel a au plus
 * 1 048 576 lignes (spécification Excel) ; 20 millions de cellules couvrent ce
 * registre (≈ 3,6 millions) avec une large marge.
 */
import { z } from 'zod/v4';

import { formatNumber } from './format';

export const MIO = 1024 * 1024;

export interface ReadLimits {
	/** Taille décompressée maximale d'une partie (octets). */
	partBytes: number;
	/** Taille décompressée maximale de toutes les parties lues d'un fichier (octets). */
	fileBytes: number;
	/** Lignes au plus par feuille lue. */
	rows: number;
	/** Cellules au plus dans tout le fichier. */
	cells: number;
}

export const DEFAULT_READ_LIMITS: Readonly<ReadLimits> = Object.freeze({
	partBytes: 256 * MIO,
	fileBytes: 512 * MIO,
	rows: 1_048_576,
	cells: 20_000_000,
});

/** Noms des entrées de la collection « Options » des nœuds qui lisent des fichiers. */
export const READ_LIMIT_OPTIONS = {
	partMo: 'limiteTaillePartieMo',
	fileMo: 'limiteTailleFichierMo',
	rows: 'limiteLignes',
	cells: 'limiteCellules',
} as const;

function bound(label: string, max: number) {
	return z
		.number({ error: `${label} : un nombre est attendu` })
		.int({ error: `${label} : un nombre entier est attendu` })
		.positive({ error: `${label} : la limite doit être strictement positive` })
		.max(max, { error: `${label} : au plus ${formatNumber(max)}` })
		.optional();
}

/** Options de lecture telles que les nœuds les reçoivent (Mo, nombres) : la seule définition de leurs bornes. */
export const readLimitOptionsSchema = z.object({
	[READ_LIMIT_OPTIONS.partMo]: bound('Taille décompressée maximale d\u2019une partie (Mo)', 4096),
	[READ_LIMIT_OPTIONS.fileMo]: bound('Taille décompressée maximale du fichier (Mo)', 8192),
	[READ_LIMIT_OPTIONS.rows]: bound('Lignes au plus par feuille', 1_048_576),
	[READ_LIMIT_OPTIONS.cells]: bound('Cellules au plus par fichier', 500_000_000),
});

/** Limites d'une exécution, depuis les options du nœud (entrées absentes : défauts). Lève une ZodError si une option est hors bornes. */
export function readLimitsFrom(options: Record<string, unknown>): ReadLimits {
	const picked = Object.fromEntries(Object.values(READ_LIMIT_OPTIONS).filter((key) => options[key] !== undefined && options[key] !== '').map((key) => [key, options[key]]));
	const parsed = readLimitOptionsSchema.parse(picked);
	return {
		partBytes: (parsed[READ_LIMIT_OPTIONS.partMo] ?? DEFAULT_READ_LIMITS.partBytes / MIO) * MIO,
		fileBytes: (parsed[READ_LIMIT_OPTIONS.fileMo] ?? DEFAULT_READ_LIMITS.fileBytes / MIO) * MIO,
		rows: parsed[READ_LIMIT_OPTIONS.rows] ?? DEFAULT_READ_LIMITS.rows,
		cells: parsed[READ_LIMIT_OPTIONS.cells] ?? DEFAULT_READ_LIMITS.cells,
	};
}

/** « 256 Mo », « 1,5 Mo », « 800 ko » : taille lisible (Mo de 2²⁰ octets, comme l'option). */
export function formatBytes(bytes: number): string {
	if (bytes >= MIO) return `${formatNumber(Math.round((bytes / MIO) * 10) / 10)}\u00a0Mo`;
	if (bytes >= 1024) return `${formatNumber(Math.round(bytes / 1024))}\u00a0ko`;
	return `${formatNumber(bytes)}\u00a0octets`;
}

export type ReadLimitKind = 'partie' | 'fichier' | 'lignes' | 'cellules';

/**
 * Dépassement d'une limite de lecture : le message, en français, nomme la
 * partie et la limite ; le lecteur y ajoute le nom du fichier.
 */
export class ReadLimitError extends Error {
	constructor(
		readonly kind: ReadLimitKind,
		readonly part: string,
		readonly limit: number,
	) {
		super(ReadLimitError.describe(kind, part, limit));
	}

	static describe(kind: ReadLimitKind, part: string, limit: number): string {
		switch (kind) {
			case 'partie':
				return `la partie « ${part} » dépasse, décompressée, la limite de ${formatBytes(limit)} par partie`;
			case 'fichier':
				return `le contenu décompressé dépasse la limite de ${formatBytes(limit)} par fichier (atteinte en lisant la partie « ${part} »)`;
			case 'lignes':
				return `la feuille « ${part} » dépasse la limite de ${formatNumber(limit)} lignes`;
			case 'cellules':
				return `le classeur dépasse la limite de ${formatNumber(limit)} cellules (atteinte dans la feuille « ${part} »)`;
		}
	}

	/** Option du nœud qui règle cette limite. */
	get option(): string {
		return {
			partie: 'Taille décompressée maximale d\u2019une partie (Mo)',
			fichier: 'Taille décompressée maximale du fichier (Mo)',
			lignes: 'Lignes au plus par feuille',
			cellules: 'Cellules au plus par fichier',
		}[this.kind];
	}
}

/**
 * Compteur des octets décompressés et des cellules d'un fichier, partagé par
 * toutes ses parties : lève une ReadLimitError dès qu'une limite est franchie.
 */
export class ReadBudget {
	private fileBytes = 0;
	private cells = 0;

	constructor(readonly limits: ReadLimits = DEFAULT_READ_LIMITS) {}

	/** Octets décompressés de `part` (déjà `partSoFar` pour cette partie, ce morceau compris). */
	addBytes(part: string, chunk: number, partSoFar: number): void {
		if (partSoFar > this.limits.partBytes) throw new ReadLimitError('partie', part, this.limits.partBytes);
		this.fileBytes += chunk;
		if (this.fileBytes > this.limits.fileBytes) throw new ReadLimitError('fichier', part, this.limits.fileBytes);
	}

	/** Ce qu'une partie peut encore occuper, décompressée. */
	remainingFor(): number {
		return Math.min(this.limits.partBytes, Math.max(0, this.limits.fileBytes - this.fileBytes));
	}

	/** Une ligne lue (`row` : son numéro) et ses cellules. */
	addRow(sheet: string, row: number, cells: number): void {
		if (row > this.limits.rows) throw new ReadLimitError('lignes', sheet, this.limits.rows);
		this.cells += cells;
		if (this.cells > this.limits.cells) throw new ReadLimitError('cellules', sheet, this.limits.cells);
	}
}
