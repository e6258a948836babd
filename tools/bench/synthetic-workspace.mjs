// Writes a synthetic DVC monorepo: `files` pipelines of `stagesPerFile` stages each, with
// params, a foreach group, chains inside each file and a dependency on the previous pipeline.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function writeSyntheticPipelines(root, { files = 500, stagesPerFile = 20 } = {}) {
  const foreachSize = Math.min(5, stagesPerFile - 1);
  for (let f = 0; f < files; f++) {
    const dir = join(root, 'pipelines', `p${String(f).padStart(4, '0')}`);
    mkdirSync(join(dir, 'src'), { recursive: true });
    writeFileSync(join(dir, 'src', 'step.py'), `print(${f})\n`);
    writeFileSync(join(dir, 'params.yaml'), `lr: 0.0${(f % 9) + 1}\nepochs: ${f % 7}\nitems: [${[...Array(foreachSize).keys()].map((i) => `"s${i}"`).join(', ')}]\n`);
    const lines = ['stages:'];
    const chain = stagesPerFile - foreachSize;
    for (let s = 0; s < chain; s++) {
      lines.push(`  stage${s}:`);
      lines.push(`    cmd: python src/step.py --lr \${lr} ${s}`);
      lines.push('    deps:');
      lines.push('    - src/step.py');
      if (s > 0) lines.push(`    - out/stage${s - 1}.txt`);
      else if (f > 0) lines.push(`    - ../p${String(f - 1).padStart(4, '0')}/out/stage${chain - 1}.txt`);
      lines.push('    params:');
      lines.push('    - lr');
      lines.push('    outs:');
      lines.push(`    - out/stage${s}.txt`);
    }
    lines.push('  fan:');
    lines.push('    foreach: ${items}');
    lines.push('    do:');
    lines.push('      cmd: python src/step.py ${item}');
    lines.push('      deps:');
    lines.push(`      - out/stage${chain - 1}.txt`);
    lines.push('      params:');
    lines.push('      - epochs');
    lines.push('      outs:');
    lines.push('      - out/fan-${item}.txt');
    writeFileSync(join(dir, 'dvc.yaml'), lines.join('\n') + '\n');
  }
}
