// Durées des phases du bilan (lecture en flux et validation, calcul, classeur) pour
// un paquet construit donné, sur un classeur de suivi donné : sert à comparer deux
// versions du paquet sur le même fichier, processus après processus, en alternance.
//   node --max-old-space-size=256 bench/bilan-phases.mjs <dossier du paquet> <classeur.xlsx>
// (le classeur : celui que génère bench/releves-bilan.bench.mjs, sans les colonnes de publics).
import fs from 'node:fs';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const [,, which, file] = process.argv;
const lib = require(`${which}/dist/nodes/lib.js`);
const t = [process.hrtime.bigint()];
const acc = new lib.BilanAccumulator(lib.parseBilanSettings({ debut: '2026-01', fin: '2026-12' }));
await lib.streamBilanWorkbook(fs.readFileSync(file), 'r.xlsx', acc, () => {});
t.push(process.hrtime.bigint());
const bilan = acc.result();
t.push(process.hrtime.bigint());
await lib.buildBilanReport(bilan, { titre: 'B', dateBilan: '2027-01-15' });
t.push(process.hrtime.bigint());
const ms = t.slice(1).map((x, i) => Number(x - t[i]) / 1e6);
console.log(which, `lecture ${ms[0].toFixed(0)} ; résultat ${ms[1].toFixed(0)} ; classeur ${ms[2].toFixed(0)} ms ; tas ${(process.memoryUsage().heapUsed/1048576).toFixed(0)} Mio`);
