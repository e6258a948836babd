import { availableParallelism } from 'node:os';

/** How the `preTasksExecution` hook tells the stage batch how many stages may run at once. */
export const PARALLEL_ENV = 'NX_DVC_PARALLEL';

const NX_DEFAULT_PARALLEL = 3;

/**
 * The number of tasks Nx 24 runs at once for this command, worked out as Nx does
 * (`readParallelFromArgsAndEnv`, then nx.json's `parallel`, then 3): `--parallel=N`,
 * `--parallel N`, `--parallel` alone (`--maxParallel` or `NX_PARALLEL`, else 3), `--parallel=false`
 * (one), `N%` of the cores. Nx hands a batch's worker none of this.
 */
export function parallelCount(argv: readonly string[], nxJsonParallel: number | undefined, env: NodeJS.ProcessEnv = process.env): number {
  const parallel = flagValue(argv, 'parallel');
  const maxParallel = flagValue(argv, 'maxParallel') ?? flagValue(argv, 'max-parallel');
  if (parallel === 'false' || argv.includes('--no-parallel')) return 1;
  if (parallel === 'true' || parallel === '' || (parallel === undefined && env.NX_PARALLEL)) {
    return concurrency(maxParallel || env.NX_PARALLEL || String(NX_DEFAULT_PARALLEL));
  }
  if (parallel !== undefined) return concurrency(parallel);
  return nxJsonParallel ? concurrency(String(nxJsonParallel)) : NX_DEFAULT_PARALLEL;
}

/** `--name=value`, `--name value`, or `''` for a bare `--name` (yargs reads Nx's `parallel` as a string). */
function flagValue(argv: readonly string[], name: string): string | undefined {
  for (let i = argv.length - 1; i >= 0; i--) {
    const arg = argv[i]!;
    if (arg.startsWith(`--${name}=`)) return arg.slice(name.length + 3);
    if (arg === `--${name}`) {
      const next = argv[i + 1];
      return next !== undefined && !next.startsWith('-') && /^(\d+%?|true|false)$/.test(next) ? next : '';
    }
  }
  return undefined;
}

function concurrency(value: string): number {
  let count = parseInt(value, 10);
  if (value.endsWith('%')) count = (availableParallelism() * count) / 100;
  return Number.isNaN(count) ? NX_DEFAULT_PARALLEL : Math.max(1, Math.floor(count));
}
