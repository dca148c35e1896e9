/**
 * Rendu d'un PDF en images (pdftoppm, de poppler) pour vérifier ce qu'un
 * lecteur voit : pixels d'une couleur dans un cadre donné en points PDF.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { pdfPagesPpm } = require('./pdf-pages.cjs') as { pdfPagesPpm(pdf: Buffer, dpi: number): Buffer[] };

export interface RenderedPage {
	width: number;
	height: number;
	/** Pixels RVB, ligne par ligne. */
	rgb: Buffer;
	/** Pixels par point PDF. */
	scale: number;
}

/** Chaque page du PDF rendue à `dpi` points par pouce (format PPM, lu sans bibliothèque). */
export function renderPdfPages(pdf: Buffer, dpi = 50): RenderedPage[] {
	return pdfPagesPpm(pdf, dpi).map((data, i) => {
		// En-tête PPM binaire : « P6 », largeur, hauteur, valeur maximale, chacun suivi d'un blanc.
		const header = /^P6\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(data.subarray(0, 64).toString('latin1'));
		if (!header) throw new Error(`page ${i + 1} : image PPM illisible`);
		const [whole, w, h] = header;
		return { width: Number(w), height: Number(h), rgb: data.subarray(whole.length), scale: dpi / 72 };
	});
}

/** Nombre de pixels proches de `hex` (écart d'au plus `tolerance` par canal) dans un cadre en points. */
export function countColor(page: RenderedPage, box: { x: number; y: number; largeur: number; hauteur: number }, hex: string, tolerance = 24): number {
	const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
	const x0 = Math.max(0, Math.floor(box.x * page.scale));
	const y0 = Math.max(0, Math.floor(box.y * page.scale));
	const x1 = Math.min(page.width, Math.ceil((box.x + box.largeur) * page.scale));
	const y1 = Math.min(page.height, Math.ceil((box.y + box.hauteur) * page.scale));
	let count = 0;
	for (let y = y0; y < y1; y++) {
		for (let x = x0; x < x1; x++) {
			const i = (y * page.width + x) * 3;
			if (Math.abs(page.rgb[i] - r) <= tolerance && Math.abs(page.rgb[i + 1] - g) <= tolerance && Math.abs(page.rgb[i + 2] - b) <= tolerance) count++;
		}
	}
	return count;
}

/** Couleur de la première série des graphiques du bilan (BILAN_CHART_COLORS.serie1). */
const BILAN_BLUE = '#1F5FA8';

/** Les graphiques du « Bilan pour les élus ». */
export const BILAN_CHARTS = ['heuresParMois', 'realisationParMarche', 'realisationParTerritoire', 'heuresParAnnee', 'marchesParNature', 'heuresParNature', 'publicsPrioritaires', 'heuresParModalite'];

/** Chaque graphique attendu est dessiné, a des barres, et ses barres se voient dans l'image rendue de sa page. */
export function expectChartsVisible(pdf: Buffer, charts: Array<{ id: string; page: number; barres: number; x?: number; y?: number; largeur?: number; hauteur?: number }>): void {
	expect(charts.map((c) => c.id).sort()).toEqual([...BILAN_CHARTS].sort());
	const pages = renderPdfPages(pdf);
	for (const chart of charts) {
		expect({ id: chart.id, barres: chart.barres > 0 }).toEqual({ id: chart.id, barres: true });
		const box = { x: chart.x ?? 0, y: chart.y ?? 0, largeur: chart.largeur ?? 595, hauteur: chart.hauteur ?? 842 };
		expect({ id: chart.id, visible: countColor(pages[chart.page - 1], box, BILAN_BLUE) > 20 }).toEqual({ id: chart.id, visible: true });
	}
}
