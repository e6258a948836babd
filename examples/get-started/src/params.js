// params.yaml here is two levels deep ("section:\n  key: value"), simple enough to read without a YAML library.
const fs = require('node:fs');

function readParams() {
  const result = {};
  let section;
  for (const line of fs.readFileSync('params.yaml', 'utf8').split('\n')) {
    const top = /^(\w+):\s*$/.exec(line);
    const entry = /^\s+(\w+):\s*(.+)$/.exec(line);
    if (top) result[(section = top[1])] = {};
    else if (entry && section) result[section][entry[1]] = Number(entry[2]);
  }
  return result;
}
module.exports = { readParams };
