// Takes the README's picture of the example pipeline in `nx graph`: a real workspace with the
// packed plugin, Nx's own static graph page (`nx graph --file`), rendered by headless Chromium
// (Debian's `chromium` package) driven with playwright-core. playwright-core is not a dependency
// of this repository: the script installs it on first use into a temp folder (npm, ~2 MB, no
// browser download). Writes docs/nx-graph.png.
//
//   npm run build --silent && node --import tsx tools/screenshot-graph.ts
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWorkspace } from './support/workspace';
import { exampleFiles } from './example-files';

const OUT = join(__dirname, '..', 'docs', 'nx-graph.png');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const PLAYWRIGHT_DIR = join(tmpdir(), 'nx-dvc-playwright-core');
const STAGES = ['get-started--prepare', 'get-started--train', 'get-started--evaluate'];

// The graph page restores its view options from the `graph` URL parameter (what its "Share"
// button produces). By default it groups projects by folder, which folds the stages (all under
// get-started/.nx-dvc/) into one box: 'individual' is the toolbar's "Flat" mode. Bottom-to-top
// ranking puts the first stage at the top.
const VIEW = { c: { theme: 'light', mode: 'individual', rankDir: 'BT' }, v: 1 };

function playwrightCore() {
  const module = join(PLAYWRIGHT_DIR, 'node_modules', 'playwright-core');
  if (!existsSync(module)) {
    execFileSync('npm', ['install', '--prefix', PLAYWRIGHT_DIR, '--no-audit', '--no-fund', '--loglevel=error', 'playwright-core@1.64'], { stdio: 'inherit' });
  }
  return require(module);
}

function graphUrl(indexHtml: string): string {
  const graph = Buffer.from(encodeURIComponent(JSON.stringify(VIEW))).toString('base64');
  return `file://${indexHtml}#/projects?graph=${encodeURIComponent(graph)}`;
}

async function screenshot(url: string, out: string): Promise<void> {
  const browser = await playwrightCore().chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1320, height: 720 } });
    await page.goto(url);
    // The side list titles a project "Hide <name>" once the graph renders it
    for (const stage of STAGES) await page.waitForSelector(`button[title="Hide ${stage}"]`);
    await page.waitForTimeout(1000); // the layout is drawn on a canvas: no DOM event says it has settled
    await page.screenshot({ path: out });
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  const ws = createWorkspace({ files: exampleFiles() });
  try {
    ws.nxOk(['graph', '--file=graph/index.html']);
    mkdirSync(join(OUT, '..'), { recursive: true });
    await screenshot(graphUrl(ws.path('graph/index.html')), OUT);
    console.log(`Wrote ${OUT}`);
  } finally {
    ws.cleanup();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
