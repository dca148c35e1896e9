/**
 * La règle d'état d'un envoi (nodes/shared/send-once.ts), commune à l'avis de
 * pénalité, à la relance et aux accusés de la réception : chaque cas, dont
 * l'adresse du titulaire refusée alors que les copies sont parties.
 */
import { BUSY_ELSEWHERE, SEND_BUDGET_SPENT, UNCERTAIN_RESENT, refusedHolder, sendReport } from '../../nodes/lib';
import type { OnceOutcome, SendReportTexts } from '../../nodes/lib';

const to = ['Titulaire@Exemple.test'];
const base = { a: to, cc: ['acheteur@region.test'], objet: 'Objet', cle: 'k1' };
const texts: SendReportTexts = { alreadySent: 'déjà parti', holderRefused: (r) => `adresse du titulaire ${r.adresse} refusée (${r.message})` };
const sent = (rejected: Array<{ adresse: string; code: string; message: string }>, incertain?: boolean): OnceOutcome => ({
	ok: true,
	messageId: '<m@x>',
	accepted: ['acheteur@region.test'],
	rejected,
	response: '250 OK',
	...(incertain ? { incertain } : {}),
});
const holderRefusal = { adresse: 'titulaire@exemple.test', code: '550', message: 'boîte inconnue' };

describe('état d’un envoi', () => {
	it('déjà envoyé, en cours ailleurs : pas de renvoi, motif dit', () => {
		expect(sendReport('déjà envoyé', to, base, texts)).toEqual({ statut: 'déjà envoyé', ...base, motif: 'déjà parti' });
		expect(sendReport('en cours ailleurs', to, base, texts)).toEqual({ statut: 'en cours ailleurs', ...base, motif: BUSY_ELSEWHERE });
	});

	it('pas parti : « échec », ou « reporté » quand la durée maximale des envois est atteinte', () => {
		expect(sendReport({ ok: false, temporaire: false, code: '554', message: 'refusé' }, to, base, texts)).toEqual({ statut: 'échec', ...base, erreur: 'refusé', code: '554', temporaire: false });
		expect(sendReport({ ok: false, temporaire: true, code: SEND_BUDGET_SPENT, message: 'plus tard' }, to, base, texts)).toMatchObject({ statut: 'reporté', temporaire: true });
	});

	it('parti et accepté : « envoyé », « incertain » pour le renvoi d’un envoi interrompu ; une copie refusée ne change rien', () => {
		const copyRefused = [{ adresse: 'acheteur@region.test', code: '550', message: 'x' }];
		expect(sendReport(sent(copyRefused), to, base, texts)).toMatchObject({ statut: 'envoyé', messageId: '<m@x>', refuses: copyRefused });
		expect(sendReport(sent([], true), to, base, texts)).toMatchObject({ statut: 'incertain', motif: UNCERTAIN_RESENT });
		expect(refusedHolder(sent(copyRefused), to)).toBeUndefined();
	});

	it('adresse du titulaire refusée (casse ignorée) : « échec » définitif, sans renvoi, adresse à corriger', () => {
		const report = sendReport(sent([holderRefusal]), to, base, texts);
		expect(report).toMatchObject({ statut: 'échec', code: '550', temporaire: false, erreur: 'adresse du titulaire titulaire@exemple.test refusée (boîte inconnue)' });
		expect(report).not.toHaveProperty('motif');
		expect(refusedHolder(sent([holderRefusal]), to)).toEqual(holderRefusal);
		expect(refusedHolder('déjà envoyé', to)).toBeUndefined();
	});

	it('renvoi interrompu et titulaire refusé : « échec », motif « incertain » seulement si le nœud le demande', () => {
		expect(sendReport(sent([holderRefusal], true), to, base, texts)).not.toHaveProperty('motif');
		expect(sendReport(sent([holderRefusal], true), to, base, { ...texts, uncertainEvenIfRefused: true })).toMatchObject({ statut: 'échec', motif: UNCERTAIN_RESENT });
	});
});
