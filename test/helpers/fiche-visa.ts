/** Fiches visa de test : une fiche complète et cohérente, et de quoi l'écrire dans le formulaire Excel. */
import type { FicheVisaPrefill } from '../../nodes/adapters';
import { buildPrefilledFicheVisa } from '../../nodes/adapters';

/** Une fiche complète et cohérente : le lycée 2026-TRX-014 (volumes du lycée du Limousin). */
export function validFiche(): Record<string, unknown> {
	return {
		reference: '2026-TRX-014',
		objet: 'Construction du lycée des métiers du bâtiment de Saint-Aubin-sur-Argent',
		servicePrescripteur: 'Direction des lycées',
		emailService: 'lycees@region-val-argent.example.test',
		acheteur: 'Claire Martin, service des marchés',
		cpv: '45214220',
		nature: 'Travaux',
		ccag: 'CCAG-Travaux 2021',
		montantEstimeHT: 962000,
		methodeEstimation: 'Estimation du maître d’œuvre',
		dureeMois: 20,
		procedure: 'MAPA',
		dateFiche: '2026-11-02',
		dateLancement: '2026-12-01',
		dateNotification: '2027-03-15',
		alloti: 'oui',
		sourcing: 'oui',
		sourcingDescription: 'Rencontre des entreprises du bâtiment et de deux SIAE du bâtiment',
		etudeFaisabilite: 'oui',
		dateEtude: '2026-10-15',
		facilitateur: 'PLIE du Val d’Argent',
		contactFacilitateur: 'clauses@plie-val-argent.example.test',
		ccapPerimetre: 'oui',
		ccapContactFacilitateur: 'oui',
		ccapPublics: 'oui',
		ccapVolume: 'oui',
		penalitesCcap: 'oui',
		penaliteParHeure: 60,
		considerationsDecp: 'Clause sociale',
		environnementCondition: 'oui',
		environnementCritere: 'oui',
		environnementDescription: 'Tri des déchets de chantier, matériaux biosourcés',
		redacteur: 'Claire Martin',
		lots: [
			{ numero: '1', intitule: 'Démolition – gros œuvre', montantHT: 504000, mecanisme: 'Clause d’insertion en heures (L2112-2)', heures: 420 },
			{ numero: '2', intitule: 'Menuiseries extérieures aluminium', montantHT: 420000, mecanisme: 'clause sociale', heures: 280 },
			{ numero: '8', intitule: 'Signalétique', montantHT: 38000, mecanisme: 'Aucune considération sociale', justificationAbsence: 'Volume estimé sous le plancher de 70 h du territoire' },
		],
	};
}

/** Sortie du nœud « Étude de faisabilité » pour un lot. */
export function studied(lot: string, heures: number, decision: 'clause' | 'pasDeClause' = 'clause') {
	return {
		marche: '2026-TRX-014',
		lot,
		faisabilite: {
			decision,
			mecanismes: decision === 'clause' ? [{ code: 'clauseExecution', option: false }] : [],
			heuresRetenues: heures,
			facilitateur: { nom: 'PLIE du Val d’Argent' },
			dateEtude: '2026-10-15',
		},
	};
}


/** La fiche au format du pré-remplissage du formulaire (champs et lots). */
export function asPrefill(json: Record<string, unknown>): FicheVisaPrefill {
	const { lots, ...champs } = json;
	return { champs: champs as FicheVisaPrefill['champs'], lots: lots as FicheVisaPrefill['lots'], date: '2026-11-02' };
}

/** Le formulaire Excel rempli avec cette fiche. */
export function filledWorkbook(json: Record<string, unknown> = validFiche()): Promise<Buffer> {
	return buildPrefilledFicheVisa(asPrefill(json));
}

const SECTOR = 512;
const END_OF_CHAIN = 0xfffffffe;
const FREE = 0xffffffff;

/**
 * Un conteneur OLE (Compound File Binary, MS-CFB, version 3, secteurs de
 * 512 octets) qui porte les flux donnés, à plat sous la racine : c'est la forme
 * d'un classeur .xlsx chiffré par un mot de passe à l'ouverture (flux
 * « EncryptionInfo » et « EncryptedPackage ») ou d'un classeur Excel 97-2003
 * (flux « Workbook »). Chaque flux est complété à 4 096 octets au moins (la
 * limite du mini-flux, que ce conteneur n'emploie pas). Au plus trois flux.
 */
export function oleContainer(streams: Record<string, Buffer>): Buffer {
	const entries = Object.entries(streams).map(([name, data]) => {
		const padded = Buffer.alloc(Math.ceil(Math.max(data.length, 4096) / SECTOR) * SECTOR);
		data.copy(padded);
		return { name, data: padded };
	});
	if (entries.length > 3) throw new Error('au plus trois flux');
	// Secteur 0 : la FAT ; secteur 1 : le répertoire ; puis les flux, bout à bout.
	const fat = Buffer.alloc(SECTOR, 0xff);
	fat.writeUInt32LE(0xfffffffd, 0);
	fat.writeUInt32LE(END_OF_CHAIN, 4);
	const directory = Buffer.alloc(SECTOR);
	const entry = (index: number, name: string, type: number, start: number, size: number, right: number, child: number) => {
		const at = index * 128;
		directory.write(`${name}\0`, at, 'utf16le');
		directory.writeUInt16LE((name.length + 1) * 2, at + 0x40);
		directory.writeUInt8(type, at + 0x42);
		directory.writeUInt8(1, at + 0x43);
		directory.writeUInt32LE(FREE, at + 0x44);
		directory.writeUInt32LE(right, at + 0x48);
		directory.writeUInt32LE(child, at + 0x4c);
		directory.writeUInt32LE(start, at + 0x74);
		directory.writeUInt32LE(size, at + 0x78);
	};
	entry(0, 'Root Entry', 5, END_OF_CHAIN, 0, FREE, entries.length > 0 ? 1 : FREE);
	let sector = 2;
	entries.forEach((e, i) => {
		const count = e.data.length / SECTOR;
		for (let k = 0; k < count; k++) fat.writeUInt32LE(k === count - 1 ? END_OF_CHAIN : sector + k + 1, (sector + k) * 4);
		entry(i + 1, e.name, 2, sector, e.data.length, i + 2 <= entries.length ? i + 2 : FREE, FREE);
		sector += count;
	});
	if (sector > SECTOR / 4) throw new Error('flux trop grands pour une seule FAT');
	const header = Buffer.alloc(SECTOR);
	Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(header, 0);
	header.writeUInt16LE(0x003e, 0x18);
	header.writeUInt16LE(3, 0x1a);
	header.writeUInt16LE(0xfffe, 0x1c);
	header.writeUInt16LE(9, 0x1e);
	header.writeUInt16LE(6, 0x20);
	header.writeUInt32LE(1, 0x2c); // secteurs de FAT
	header.writeUInt32LE(1, 0x30); // premier secteur du répertoire
	header.writeUInt32LE(4096, 0x38);
	header.writeUInt32LE(END_OF_CHAIN, 0x3c);
	header.writeUInt32LE(END_OF_CHAIN, 0x44);
	header.fill(0xff, 0x4c);
	header.writeUInt32LE(0, 0x4c); // DIFAT : la FAT est au secteur 0
	return Buffer.concat([header, fat, directory, ...entries.map((e) => e.data)]);
}

/** Un classeur .xlsx chiffré par mot de passe, tel qu'Excel l'enregistre (conteneur OLE ; contenu chiffré simulé). */
export function encryptedXlsx(): Buffer {
	const info = Buffer.alloc(1024);
	info.writeUInt16LE(4, 0); // EncryptionInfo, version 4.4 : chiffrement « agile » (MS-OFFCRYPTO 2.3.4.10)
	info.writeUInt16LE(4, 2);
	info.writeUInt32LE(0x40, 4);
	info.write('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><encryption xmlns="http://schemas.microsoft.com/office/2006/encryption"/>', 8, 'utf8');
	const payload = Buffer.alloc(8192);
	for (let i = 8; i < payload.length; i++) payload[i] = (i * 7919) & 0xff;
	payload.writeUInt32LE(20000, 0); // taille du paquet en clair
	return oleContainer({ EncryptionInfo: info, EncryptedPackage: payload });
}
