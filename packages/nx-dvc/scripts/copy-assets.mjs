// Copies the executors' schema.json files next to their compiled code in dist/.
import { cpSync } from 'node:fs';
import fg from 'fast-glob';

for (const file of fg.sync('src/**/*.json')) cpSync(file, file.replace(/^src\//, 'dist/'));
