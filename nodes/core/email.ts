/**
 * Adresses électroniques : syntaxe RFC 5322 (bibliothèque email-addresses),
 * adresse simple uniquement (pas de groupe), aucun retour à la ligne ni
 * caractère de contrôle (injection d'en-têtes), domaine avec un point.
 */
import emailAddresses from 'email-addresses';

export function normalizeEmail(input: string): string | undefined {
	const text = input.trim();
	// eslint-disable-next-line no-control-regex
	if (text === '' || /[\u0000-\u001f\u007f]/.test(text) || text.length > 320) return undefined;
	const parsed = emailAddresses.parseOneAddress({ input: text, rejectTLD: true, simple: false } as never);
	if (!parsed || parsed.type !== 'mailbox') return undefined;
	const mailbox = parsed as { address: string; name: string | null; domain: string };
	if (mailbox.name !== null || !mailbox.domain.includes('.')) return undefined;
	return mailbox.address;
}

/** Liste d'adresses séparées par des virgules ou des points-virgules. */
export function splitEmails(input: string): string[] {
	return input
		.split(/[;,]/)
		.map((part) => part.trim())
		.filter((part) => part !== '');
}
