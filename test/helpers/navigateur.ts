/**
 * Chromium sans interface pour les tests de bout en bout : le Chromium de
 * Debian (scripts/install-system.sh l'installe), piloté par playwright-core
 * (bibliothèque seule, sans navigateur téléchargé). Un Chromium absent fait
 * échouer le test, avec la commande qui l'installe : rien n'est sauté.
 */
import fs from 'node:fs';
import path from 'node:path';

import { chromium, type Browser, type Page } from 'playwright-core';

/** Chemin du navigateur : CHROMIUM, sinon celui des paquets Debian. */
export function chromiumPath(): string {
	const candidates = [process.env.CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((c): c is string => !!c);
	const found = candidates.find((c) => fs.existsSync(c));
	if (!found) {
		throw new Error(`Chromium est introuvable (${candidates.join(', ')}) : installez-le (apt-get install chromium, ou bash scripts/install-system.sh sous root), ou donnez son chemin dans CHROMIUM.`);
	}
	return found;
}

/** Chromium sans interface, en français, aux dimensions d'un écran de bureau. */
export async function launchChromium(): Promise<Browser> {
	return chromium.launch({
		executablePath: chromiumPath(),
		headless: true,
		args: ['--lang=fr-FR', '--disable-gpu', '--no-first-run', '--no-default-browser-check'],
	});
}

/** Un onglet neuf (contexte isolé : ni cookie ni stockage d'un autre onglet). */
export async function newPage(browser: Browser): Promise<Page> {
	const context = await browser.newContext({ viewport: { width: 1600, height: 900 }, locale: 'fr-FR' });
	return context.newPage();
}

/**
 * Capture de ce que montre la page (à joindre au message d'un échec), écrite
 * dans `dir` : un dossier que le nettoyage du test n'efface pas.
 */
export async function captureOnFailure(page: Page, dir: string, name: string): Promise<string> {
	const file = path.join(dir, `${name.replace(/[^a-z0-9-]+/gi, '-')}.png`);
	try {
		await page.screenshot({ path: file });
		return `capture : ${file}, page : ${page.url()}`;
	} catch {
		return `page : ${page.url()}`;
	}
}
