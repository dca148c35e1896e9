/** L'identifiant SMTP de n8n vers les réglages de l'adaptateur d'envoi, et le test de connexion. */
import type { ICredentialDataDecryptedObject, ICredentialTestFunctions, ICredentialsDecrypted, INodeCredentialTestResult } from 'n8n-workflow';

import type { MailerOptions, SmtpSecurity, SmtpSettings } from '../adapters';
import { Mailer, describeSmtpError } from '../adapters';
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
	};
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
	const mailer = new Mailer(settings, { delaiMs: 10000 });
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
