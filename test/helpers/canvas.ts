/**
 * Place qu'occupent les nœuds et les notes d'un workflow sur le canevas de
 * l'éditeur de n8n (2.40), estimée depuis le fichier : un nœud est un carré de
 * 100 × 100 à sa position, son nom (et son sous-titre) s'écrit dessous sur
 * trois lignes au plus ; une note a la largeur et la hauteur de ses paramètres
 * et son texte Markdown y passe à la ligne. Les estimations sont prudentes
 * (caractères de largeur moyenne, une ligne de sous-titre comptée pour tout nœud).
 */

export interface CanvasNode {
	name: string;
	type: string;
	position: [number, number];
	parameters: Record<string, unknown>;
}

export interface Box {
	x: number;
	y: number;
	w: number;
	h: number;
}

export const STICKY_TYPE = 'n8n-nodes-base.stickyNote';
export const NODE_SIZE = 100;
/** Le nom sous un nœud déborde de part et d'autre du carré. */
const LABEL_OVERFLOW = 20;
const LABEL_CHARS_PER_LINE = 20;
const LABEL_LINE_HEIGHT = 17;
const LABEL_MAX_LINES = 3;

export function isSticky(node: CanvasNode): boolean {
	return node.type === STICKY_TYPE;
}

/** Lignes du nom d'un nœud sous son carré (n8n coupe au-delà de trois). */
export function labelLines(name: string): number {
	return Math.ceil(name.length / LABEL_CHARS_PER_LINE);
}

/** Le carré du nœud et, dessous, son nom et une ligne de sous-titre. */
export function nodeBox(node: CanvasNode): Box {
	const [x, y] = node.position;
	const lines = Math.min(labelLines(node.name), LABEL_MAX_LINES) + 1;
	return { x: x - LABEL_OVERFLOW, y, w: NODE_SIZE + 2 * LABEL_OVERFLOW, h: NODE_SIZE + 8 + lines * LABEL_LINE_HEIGHT };
}

export function stickyBox(node: CanvasNode): Box {
	const [x, y] = node.position;
	return { x, y, w: Number(node.parameters.width ?? 240), h: Number(node.parameters.height ?? 160) };
}

export function overlap(a: Box, b: Box): boolean {
	return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

export function inside(inner: Box, outer: Box): boolean {
	return inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.w <= outer.x + outer.w && inner.y + inner.h <= outer.y + outer.h;
}

const PADDING = 12;
const CHAR_WIDTH = 7.4;
const LINE_HEIGHT = 20;
const PARAGRAPH_GAP = 10;
const HEADING_HEIGHT: Record<number, number> = { 1: 36, 2: 30, 3: 26 };

/** Hauteur estimée du texte Markdown d'une note de cette largeur. */
export function stickyTextHeight(content: string, width: number): number {
	const charsPerLine = Math.floor((width - 2 * PADDING) / CHAR_WIDTH);
	let height = 2 * PADDING;
	for (const raw of content.split('\n')) {
		const heading = /^(#{1,3})\s+(.*)$/.exec(raw);
		if (heading) {
			const level = heading[1].length;
			const perLine = Math.floor(charsPerLine * (LINE_HEIGHT / HEADING_HEIGHT[level]));
			height += HEADING_HEIGHT[level] * Math.max(1, Math.ceil(heading[2].length / perLine));
			continue;
		}
		if (raw.trim() === '') {
			height += PARAGRAPH_GAP;
			continue;
		}
		const text = raw.replace(/\*\*|`|^\s*[-*]\s+|^\s*\d+\.\s+/g, '');
		const indent = /^\s*([-*]|\d+\.)\s+/.test(raw) ? 3 : 0;
		height += LINE_HEIGHT * Math.max(1, Math.ceil(text.length / (charsPerLine - indent)));
	}
	return height;
}
