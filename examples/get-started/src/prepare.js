// Splits a CSV into train.csv and test.csv, deterministically from params.yaml's seed.
const fs = require('node:fs');
const path = require('node:path');
const { readParams } = require('./params');
const params = readParams().prepare;
const [input, outDir] = process.argv.slice(2);
const [header, ...rows] = fs.readFileSync(input, 'utf8').trim().split('\n');
let state = params.seed;
const random = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
const train = [];
const test = [];
for (const row of rows) (random() < params.split ? test : train).push(row);
fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, 'train.csv'), [header, ...train].join('\n') + '\n');
fs.writeFileSync(path.join(outDir, 'test.csv'), [header, ...test].join('\n') + '\n');
console.log(`train: ${train.length} rows, test: ${test.length} rows`);
