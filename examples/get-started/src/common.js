const fs = require('node:fs');
const { readParams } = require('./params');

function readCsv(file) {
  const [, ...rows] = fs.readFileSync(file, 'utf8').trim().split('\n');
  return rows.map((row) => {
    const [length, width, species] = row.split(',');
    return { features: [Number(length), Number(width)], species };
  });
}

module.exports = { readCsv, readParams };
