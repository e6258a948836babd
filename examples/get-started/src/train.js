// Fits one centroid per species, pulled towards the overall mean by `train.shrink`.
const fs = require('node:fs');
const { readCsv, readParams } = require('./common');
const [input, output] = process.argv.slice(2);
const { shrink } = readParams().train;
const rows = readCsv(input);
const mean = [0, 1].map((i) => rows.reduce((sum, r) => sum + r.features[i], 0) / rows.length);
const model = {};
for (const species of [...new Set(rows.map((r) => r.species))].sort()) {
  const own = rows.filter((r) => r.species === species);
  model[species] = [0, 1].map((i) => {
    const centroid = own.reduce((sum, r) => sum + r.features[i], 0) / own.length;
    return Number((centroid * (1 - shrink) + mean[i] * shrink).toFixed(4));
  });
}
fs.writeFileSync(output, JSON.stringify(model, null, 2) + '\n');
console.log(`trained ${Object.keys(model).length} centroids on ${rows.length} rows`);
