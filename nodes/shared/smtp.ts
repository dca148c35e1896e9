/** L'identifiant SMTP de n8n vers les réglages de l'adaptateur d'envoi, et le test de connexion. */
import type { ICredentialDataDecryptedObject, ICredentialTestFunctions, ICredentialsDecrypted, INodeCredentialTestResult } from 'n8n-workflow';

import type { MailerOptions, SmtpSecurity, SmtpSettings } from '../adapters';
import { DEFAULT_SMTP_TIMEOUTS, Mailer, describeSmtpError } from '../adapters';
import { normalizeEmail } from '../core';

export const SMTP_CREDENTIAL = 'clausesSocialesSmtpApi';

export function smtpSettings(data: ICredentialDataDecryptedObject): SmtpSettings {
	const securite = (['starttls', 'tls', 'aucune'].includes(String(data.securite)) ? data.securite : 'starttls') as SmtpSecurity;
	return {
		host: String(data.host ?? ''),
		port: Number(data.port ?? 587),
		securite,
		user: data.user ? String(data.user) : undefined,
		password: data.password ? String(data.password) : undefined,
		expediteurNom: data.expediteurNom ? String(data.expediteurNom) : undefined,
		expediteurEmail: String(data.expediteurEmail ?? ''),
		repondreA: data.repondreA ? String(data.repondreA) : undefined,
		accepterCertificatsNonVerifies: data.tlsSansVerification === true,
		delais: {
			connexionMs: seconds(data.delaiConnexion, DEFAULT_SMTP_TIMEOUTS.connexionMs),
			accueilMs: seconds(data.delaiAccueil, DEFAULT_SMTP_TIMEOUTS.accueilMs),
			inactiviteMs: seconds(data.delaiInactivite, DEFAULT_SMTP_TIMEOUTS.inactiviteMs),
		},
		dureeMaxEnvoisMs: data.dureeMaxEnvois === undefined || data.dureeMaxEnvois === '' ? DEFAULT_SEND_BUDGET_MS : Math.max(0, Number(data.dureeMaxEnvois)) * 1000,
	};
}

/** Durée maximale des envois d'une exécution, par défaut (identifiant enregistré avant ce réglage). */
export const DEFAULT_SEND_BUDGET_MS = 600_000;

/** Un délai de l'identifiant, en secondes, vers des millisecondes ; absent ou illisible : le défaut. */
function seconds(value: unknown, fallbackMs: number): number {
	const n = Number(value);
	return value === undefined || value === '' || !Number.isFinite(n) || n <= 0 ? fallbackMs : n * 1000;
}

/** Défauts de l'identifiant à corriger avant tout envoi, en français ; vide si tout va bien. */
export function smtpSettingsProblems(s: SmtpSettings): string[] {
	const problems: string[] = [];
	if (s.host.trim() === '') problems.push('l’hôte SMTP est vide');
	if (!Number.isInteger(s.port) || s.port < 1 || s.port > 65535) problems.push(`le port ${s.port} n’est pas valide`);
	if (normalizeEmail(s.expediteurEmail) === undefined) problems.push(`l’adresse de l’expéditeur « ${s.expediteurEmail} » n’est pas valide`);
	if (s.repondreA && normalizeEmail(s.repondreA) === undefined) problems.push(`l’adresse de réponse « ${s.repondreA} » n’est pas valide`);
	return problems;
}

/** Test de connexion proposé par l'interface de n8n pour l'identifiant SMTP. */
export async function clausesSocialesSmtpTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const settings = smtpSettings(credential.data ?? {});
	const problems = smtpSettingsProblems(settings);
	if (problems.length > 0) return { status: 'Error', message: `Identifiant incomplet : ${problems.join(' ; ')}.` };
	const mailer = new Mailer(settings);
	try {
		await mailer.verify();
		return { status: 'OK', message: 'Connexion au serveur SMTP réussie.' };
	} catch (error) {
		return { status: 'Error', message: `Connexion impossible : ${describeSmtpError(error, settings).message}.` };
	} finally {
		mailer.close();
	}
}

export type { MailerOptions };
