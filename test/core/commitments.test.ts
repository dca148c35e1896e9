/**
 * Les autres considérations sociales (cœur) : déclaration validée par zod,
 * situation de chaque échéance (relance, mise en demeure, pénalité, une fois
 * chacune), justificatifs, courriels en français sans phrase redite, section
 * du bilan.
 */
import type { CommitmentClause, CommitmentRecord } from '../../nodes/core';
import {
	AnomalyError,
	COMMITMENT_DEFAULTS,
	COMMITMENT_LABELS,
	CommitmentDeclarationSchema,
	addProof,
	addStep,
	commitmentBilan,
	commitmentDueStates,
	commitmentKey,
	commitmentMail,
	commitmentOrigin,
	commitmentRecipients,
	declareCommitment,
	parseSettings,
} from '../../nodes/core';

const SETTINGS = { dateSuivi: '2026-07-01', delaiRelanceJours: 15, delaiMiseEnDemeureJours: 15, penaliteJour: 100 };

const CLAUSE: CommitmentClause = {
	titulaire: 'Bâtiments du Limousin',
	emailTitulaire: 'contact@batiments-limousin.example.test',
	contactTitulaire: 'Mme Durand',
	acheteur: 'Direction des lycées',
	emailAcheteur: 'lycees@region.example.test',
	facilitateur: 'PLIE du Val d’Argent',
	emailFacilitateur: 'clauses@plie.example.test',
	intitule: 'Gros œuvre',
	statut: 'enCours',
};

function declared(): CommitmentRecord {
	const declaration = parseSettings(
		CommitmentDeclarationSchema,
		{ marche: '2026-TRX-014', lot: '4', numero: 'A1', type: 'stagiaires', libelle: 'Accueillir trois stagiaires de l’école de la deuxième chance', indicateur: 'stagiaires accueillis', unite: 'stagiaires', echeances: [{ date: '2026-12-31', libelle: 'fin de chantier', cible: 3 }, { date: '2026-06-30', libelle: 'mi-parcours', cible: 2 }] },
		COMMITMENT_LABELS,
	);
	return declareCommitment(undefined, declaration, 'déclaré au registre');
}

/** Phrases d'un texte (même découpe que le contrôle des courriels des nœuds). */
function repeated(text: string): string[] {
	const seen = new Set<string>();
	const out: string[] = [];
	for (const s of text.split(/\n+|(?<=[.!?…])\s+(?=[A-ZÀÂÉÈÊÎÔÙÇ«])/).map((x) => x.replace(/\s+/g, ' ').trim()).filter((x) => x.length >= 30)) {
		if (seen.has(s)) out.push(s);
		seen.add(s);
	}
	return out;
}

describe('déclaration d’un engagement', () => {
	it('échéances triées, nature reconnue par ses synonymes, dates en texte acceptées', () => {
		const record = declared();
		expect(record.echeances.map((e) => e.date)).toEqual(['2026-06-30', '2026-12-31']);
		expect(record.type).toBe('stagiaires');
		const parsed = parseSettings(CommitmentDeclarationSchema, { marche: 'M', lot: '1', numero: 1, type: 'égalité F/H', libelle: 'Plan d’égalité', indicateur: 'actions', echeances: '30/06/2026 ; 2026-12-31' }, COMMITMENT_LABELS);
		expect(parsed.type).toBe('egaliteFemmesHommes');
		expect(parsed.echeances.map((e) => e.date)).toEqual(['2026-06-30', '2026-12-31']);
		expect(commitmentKey({ marche: '2026-TRX-014', lot: '4', numero: 'A1' })).toBe('2026trx014/4#a1');
	});

	it('erreurs en français : nature inconnue, aucune échéance, échéance donnée deux fois', () => {
		const attempt = (input: Record<string, unknown>) => {
			try {
				parseSettings(CommitmentDeclarationSchema, { marche: 'M', lot: '1', numero: '1', type: 'stagiaires', libelle: 'x', indicateur: 'y', echeances: '2026-06-30', ...input }, COMMITMENT_LABELS, 'élément 1');
			} catch (error) {
				expect(error).toBeInstanceOf(AnomalyError);
				return (error as AnomalyError).anomalies;
			}
			throw new Error('aucune erreur');
		};
		const [type] = attempt({ type: 'mécénat' });
		expect(type).toMatchObject({ libelle: 'nature de l’engagement', message: expect.stringMatching(/^«\s*mécénat\s*» n’est pas une nature d’engagement reconnue$/) });
		expect(type.correction).toContain('accueil de stagiaires');
		expect(attempt({ echeances: [] })[0]).toMatchObject({ message: 'aucune échéance', regle: 'engagement.echeances' });
		expect(attempt({ echeances: '2026-06-30; 30/06/2026' })[0]).toMatchObject({ regle: 'engagement.echeanceDouble' });
	});

	it('une nouvelle déclaration garde justificatifs, étapes et origine', () => {
		const first = addStep(addProof(declared(), { echeance: '2026-06-30', dateReception: '2026-06-28', valeur: 1 }, 'élément 1'), { echeance: '2026-12-31', etape: 'relance', date: '2027-01-04' });
		const again = declareCommitment(first, { ...first, numero: 'A1', echeances: [{ date: '2026-06-30' }, { date: '2026-12-31' }] } as never, 'autre origine');
		expect(again.justificatifs).toEqual(first.justificatifs);
		expect(again.etapes).toEqual(first.etapes);
		expect(again.origine).toBe('déclaré au registre');
	});

	it('l’origine cite l’étude qui recommande des actions qualitatives', () => {
		const lot = { marche: 'M', lot: '1', etude: { decision: 'clause', decisionLibelle: 'clause', mecanismes: [{ code: 'actionsQualitatives', libelle: 'Actions qualitatives', base: 'L2112-2', option: false }], heuresRetenues: 0, origineHeures: 'aucune', justification: '', dateEtude: '2026-11-23' } } as const;
		expect(commitmentOrigin(lot as never)).toBe('recommandé par l’étude de faisabilité du 23 novembre 2026');
		expect(commitmentOrigin(undefined)).toBe('déclaré au registre');
	});
});

describe('justificatifs', () => {
	it('refuse une échéance qui n’est pas celle de l’engagement, ne double pas un même justificatif', () => {
		const record = declared();
		expect(() => addProof(record, { echeance: '2026-07-31', dateReception: '2026-08-01' }, 'élément 2')).toThrow('le 31 juillet 2026 n’est pas une échéance de l’engagement A1 (échéances : 30 juin 2026, 31 décembre 2026)');
		const once = addProof(record, { echeance: '2026-06-30', dateReception: '2026-07-02', valeur: 1 }, 'élément 1');
		expect(addProof(once, { echeance: '2026-06-30', dateReception: '2026-07-02', valeur: 1 }, 'élément 1')).toBe(once);
		expect(once.justificatifs).toEqual([{ echeance: '2026-06-30', dateReception: '2026-07-02', valeur: 1 }]);
	});
});

describe('situation des échéances : relance, mise en demeure, pénalité', () => {
	const key = 'cle';
	const at = (record: CommitmentRecord, dateSuivi: string, statut = 'enCours') => commitmentDueStates(key, record, statut, { ...SETTINGS, dateSuivi })[0];

	it('à venir jusqu’au jour de l’échéance, à relancer le lendemain', () => {
		expect(at(declared(), '2026-06-30').etat).toBe('à venir');
		expect(at(declared(), '2026-07-01')).toMatchObject({ etat: 'à relancer', etape: 'relance' });
	});

	it('relancé pendant le délai de relance, puis à mettre en demeure avec une date limite', () => {
		const relanced = addStep(declared(), { echeance: '2026-06-30', etape: 'relance', date: '2026-07-01' });
		expect(at(relanced, '2026-07-15').etat).toBe('relancé');
		expect(at(relanced, '2026-07-16')).toMatchObject({ etat: 'à mettre en demeure', etape: 'mise en demeure', dateLimite: '2026-07-31' });
	});

	it('mis en demeure jusqu’à la date limite, puis pénalité par jour de retard, une seule fois', () => {
		let r = addStep(declared(), { echeance: '2026-06-30', etape: 'relance', date: '2026-07-01' });
		r = addStep(r, { echeance: '2026-06-30', etape: 'mise en demeure', date: '2026-07-16', dateLimite: '2026-07-31' });
		expect(at(r, '2026-07-31').etat).toBe('mis en demeure');
		expect(at(r, '2026-08-03')).toMatchObject({ etat: 'à pénaliser', etape: 'pénalité', joursRetard: 3, montant: 300 });
		r = addStep(r, { echeance: '2026-06-30', etape: 'pénalité', date: '2026-08-03', joursRetard: 3, montant: 300 });
		expect(addStep(r, { echeance: '2026-06-30', etape: 'pénalité', date: '2026-08-10' })).toBe(r);
		expect(at(r, '2026-09-01')).toMatchObject({ etat: 'pénalisé' });
		expect(at(r, '2026-09-01').etape).toBeUndefined();
	});

	it('un justificatif reçu arrête le suivi ; reçu après la date du suivi, il ne compte pas encore', () => {
		const proved = addProof(declared(), { echeance: '2026-06-30', dateReception: '2026-07-20' }, 'élément 1');
		expect(at(proved, '2026-07-10').etat).toBe('à relancer');
		expect(at(proved, '2026-07-20').etat).toBe('justifié');
	});

	it('une clause suspendue ou soldée n’est plus relancée', () => {
		expect(at(declared(), '2026-07-10', 'suspendue')).toMatchObject({ etat: 'clause close' });
		expect(at(declared(), '2026-07-10', 'soldee').etape).toBeUndefined();
	});
});

describe('courriels', () => {
	const record = declared();
	const relance = commitmentMail(at('2026-07-01'), record, CLAUSE, SETTINGS);
	function at(dateSuivi: string, r = record) {
		return commitmentDueStates('cle', r, 'enCours', { ...SETTINGS, dateSuivi })[0];
	}

	it('relance : l’engagement, l’échéance, l’indicateur et la suite, au titulaire avec le facilitateur en copie', () => {
		expect(relance.objet).toBe('Engagement social à justifier – marché 2026-TRX-014, lot 4 – échéance du 30 juin 2026');
		expect(relance.texte).toContain('« Accueillir trois stagiaires de l’école de la deuxième chance » (accueil de stagiaires)');
		expect(relance.texte).toContain('L’échéance du 30 juin 2026 (mi-parcours) est passée sans que nous ayons reçu de justificatif de sa réalisation.');
		expect(relance.texte).toContain('Indicateur suivi : stagiaires accueillis ; valeur attendue à cette échéance : 2\u00a0stagiaires.');
		expect(relance.texte).toContain('Sans justificatif d’ici 15 jours, une mise en demeure pourra vous être adressée');
		expect(relance.html).toContain('<p>Madame, Monsieur,<br><br>À l’attention de Mme Durand, Bâtiments du Limousin.</p>');
		expect(commitmentRecipients('relance', CLAUSE)).toEqual({ a: ['contact@batiments-limousin.example.test'], cc: ['clauses@plie.example.test'] });
		expect(commitmentRecipients('mise en demeure', CLAUSE).cc).toEqual(['clauses@plie.example.test', 'lycees@region.example.test']);
	});

	it('mise en demeure puis pénalité : dates, montant, aucune phrase redite', () => {
		const r1 = addStep(record, { echeance: '2026-06-30', etape: 'relance', date: '2026-07-01' });
		const med = commitmentMail(at('2026-07-16', r1), r1, CLAUSE, { ...SETTINGS, dateSuivi: '2026-07-16' });
		expect(med.objet).toBe('Mise en demeure – engagement social non justifié – marché 2026-TRX-014, lot 4');
		expect(med.texte).toContain('Par courriel du 1er juillet 2026, nous vous avons rappelé votre engagement');
		expect(med.texte).toContain('au plus tard le 31 juillet 2026.');
		expect(med.texte).toContain('une pénalité de 100,00\u00a0€ HT par jour calendaire de retard');
		const r2 = addStep(r1, { echeance: '2026-06-30', etape: 'mise en demeure', date: '2026-07-16', dateLimite: '2026-07-31' });
		const penalty = commitmentMail(at('2026-08-05', r2), r2, CLAUSE, { ...SETTINGS, dateSuivi: '2026-08-05' });
		expect(penalty.objet).toBe('Notification de pénalité – engagement social – marché 2026-TRX-014, lot 4');
		expect(penalty.texte).toContain('nous vous notifions une pénalité de 500,00\u00a0€ HT, soit 5 jours de retard à 100,00\u00a0€ HT par jour, décomptés jusqu’à cette date.');
		for (const mail of [relance, med, penalty]) {
			expect(repeated(mail.texte)).toEqual([]);
			expect(mail.texte).not.toMatch(/undefined|null|NaN/);
		}
	});
});

describe('section du bilan', () => {
	it('compte les échéances de la période, justifiées ou non, et le suivi', () => {
		let late = declared();
		late = addStep(late, { echeance: '2026-06-30', etape: 'relance', date: '2026-07-01' });
		late = addStep(late, { echeance: '2026-06-30', etape: 'mise en demeure', date: '2026-07-16', dateLimite: '2026-07-31' });
		late = addStep(late, { echeance: '2026-06-30', etape: 'pénalité', date: '2026-08-05', joursRetard: 5, montant: 500 });
		const kept = addProof(declareCommitment(undefined, { ...declared(), numero: 'B', type: 'illettrisme', libelle: 'Former deux salariés aux savoirs de base', indicateur: 'salariés formés', echeances: [{ date: '2026-09-30' }] } as never, 'déclaré au registre'), { echeance: '2026-09-30', dateReception: '2026-09-15', valeur: 2 }, 'élément 1');
		const bilan = commitmentBilan(
			[
				{ key: 'a', record: late, clauseStatus: 'enCours' },
				{ key: 'b', record: kept, clauseStatus: 'enCours' },
			],
			{ debut: '2026-01-01', fin: '2026-10-31', dateSuivi: '2026-10-31' },
			SETTINGS,
		);
		expect(bilan).toMatchObject({ engagements: 2, echeances: 2, justifiees: 1, enRetard: 1, relances: 1, misesEnDemeure: 1, penalites: 1, montantPenalites: 500 });
		expect(bilan.lignes.map((l) => [l.numero, l.etat, l.valeur ?? null])).toEqual([
			['A1', 'pénalisé', null],
			['B', 'justifié', 2],
		]);
		expect(bilan.texte).toBe(
			'Entre le 1er janvier 2026 et le 31 octobre 2026, 2 engagements autres que les heures d’insertion avaient 2 échéances : 1 justifiée, 1 sans justificatif à ce jour. Par nature : accueil de stagiaires, 0 sur 1 ; lutte contre l’illettrisme, 1 sur 1. Suivi : 1 relance, 1 mise en demeure, 1 pénalité notifiée pour 500,00\u00a0€ HT.',
		);
		expect(commitmentBilan([], { debut: '2026-01-01', fin: '2026-12-31', dateSuivi: '2026-12-31' }, SETTINGS).texte).toBe('Aucun engagement social autre que les heures d’insertion n’avait d’échéance entre le 1er janvier 2026 et le 31 décembre 2026.');
	});
});

describe('valeurs par défaut', () => {
	it('chaque valeur a sa source, citée par son titre', () => {
		for (const value of Object.values(COMMITMENT_DEFAULTS)) {
			expect(value.source.length).toBeGreaterThan(20);
			expect(value.source).not.toMatch(/\.txt|seed/i);
		}
		expect(COMMITMENT_DEFAULTS.penaliteJour.source).toContain('CCAP d’un acheteur public');
		expect(COMMITMENT_DEFAULTS.penaliteJour.source).toContain('Alliance Villes Emploi, «\u00a0Diversification des achats socialement responsables\u00a0»');
	});
});
