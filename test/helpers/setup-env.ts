// Dossier utilisateur n8n temporaire : n8n-core y écrit sa clé de chiffrement.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

process.env.N8N_USER_FOLDER ??= mkdtempSync(path.join(tmpdir(), 'clauses-n8n-'));
process.env.N8N_LOG_LEVEL ??= 'silent';
process.env.TZ ??= 'Europe/Paris';
