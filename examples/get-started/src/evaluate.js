// Scores the centroid model: accuracy in eval/metrics.json, confusion pairs in eval/confusion.csv.
const fs = require('node:fs');
const { readCsv } = require('./common');
const [modelFile, input] = process.argv.slice(2);
const model = JSON.parse(fs.readFileSync(modelFile, 'utf8'));
const rows = readCsv(input);
const distance = (a, b) => Math.hypot(a[0] - b[0], a[1] - b[1]);
const predict = (f) => Object.keys(model).sort((a, b) => distance(f, model[a]) - distance(f, model[b]))[0];
const pairs = rows.map((r) => [r.species, predict(r.features)]);
const accuracy = pairs.filter(([a, p]) => a === p).length / pairs.length;
fs.mkdirSync('eval', { recursive: true });
fs.writeFileSync('eval/metrics.json', JSON.stringify({ accuracy: Number(accuracy.toFixed(4)) }, null, 2) + '\n');
fs.writeFileSync('eval/confusion.csv', ['actual,predicted', ...pairs.map((p) => p.join(','))].join('\n') + '\n');
console.log(`accuracy: ${accuracy.toFixed(4)} on ${rows.length} rows`);
