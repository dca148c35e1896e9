/** Recherche d'un secteur du référentiel par nom, synonyme ou code CPV. */
import type { Sector } from './referential';
import { SECTORS } from './referential';
import { normalizeToken } from './schemas/primitives';

export interface SectorMatch {
	cle: string;
	secteur: Sector;
	par: 'secteur' | 'cpv';
}

export class SectorIndex {
	private readonly byToken = new Map<string, string>();
	private readonly cpvPrefixes: Array<{ prefix: string; key: string }> = [];

	constructor(readonly sectors: Record<string, Sector> = SECTORS) {
		for (const [key, sector] of Object.entries(sectors)) {
			this.byToken.set(normalizeToken(key), key);
			this.byToken.set(normalizeToken(sector.libelle), key);
			for (const synonym of sector.synonymes) this.byToken.set(normalizeToken(synonym), key);
			for (const prefix of sector.cpv) this.cpvPrefixes.push({ prefix: prefix.replace(/\D/g, ''), key });
		}
		// Le préfixe le plus long l'emporte (45262400 avant 4526).
		this.cpvPrefixes.sort((a, b) => b.prefix.length - a.prefix.length);
	}

	/** Réunit le référentiel livré et les secteurs ajoutés ou remplacés par l'utilisateur. */
	static withOverrides(overrides: Record<string, Partial<Sector> & { tauxMainOeuvre: number }> = {}): SectorIndex {
		const merged: Record<string, Sector> = { ...SECTORS };
		for (const [key, value] of Object.entries(overrides)) {
			const base = merged[key];
			merged[key] = {
				libelle: value.libelle ?? base?.libelle ?? key,
				tauxMainOeuvre: value.tauxMainOeuvre,
				source: value.source ?? 'Référentiel fourni par l\u2019utilisateur',
				cpv: value.cpv ?? base?.cpv ?? [],
				synonymes: value.synonymes ?? base?.synonymes ?? [],
			};
		}
		return new SectorIndex(merged);
	}

	byName(name: string): SectorMatch | undefined {
		const key = this.byToken.get(normalizeToken(name));
		return key === undefined ? undefined : { cle: key, secteur: this.sectors[key], par: 'secteur' };
	}

	byCpv(cpv: string): SectorMatch | undefined {
		const digits = cpv.replace(/\D/g, '');
		if (digits.length < 2) return undefined;
		const found = this.cpvPrefixes.find((entry) => digits.startsWith(entry.prefix));
		return found ? { cle: found.key, secteur: this.sectors[found.key], par: 'cpv' } : undefined;
	}

	labels(): string[] {
		return Object.values(this.sectors).map((s) => s.libelle);
	}
}
