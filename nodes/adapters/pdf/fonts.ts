/**
 * Polices des lettres PDF, embarquées dans le document : Arimo (famille
 * Liberation, métriques identiques à Helvetica et Arial, licence SIL Open Font
 * License), jeu de caractères latin (français, €, œ, espaces insécables et fines,
 * apostrophe et guillemets typographiques), livrée en WOFF et convertie en
 * TrueType à la première lettre (voir woff.ts).
 * Les fichiers sont lus au moment de la construction : dist/nodes/lib.js les
 * contient (chargeur « binary » d'esbuild), les tests les reçoivent par leur
 * transformation (test/helpers/binary-transform.cjs).
 */
import arimoBold from '@fontsource/arimo/files/arimo-latin-700-normal.woff';
import arimoRegular from '@fontsource/arimo/files/arimo-latin-400-normal.woff';

import { woffToSfnt } from './woff';

export const LETTER_FONTS = {
	regular: { name: 'Arimo', data: woffToSfnt(arimoRegular) },
	bold: { name: 'Arimo-Bold', data: woffToSfnt(arimoBold) },
} as const;
