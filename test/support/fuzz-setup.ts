/**
 * Every fast-check run of the suite draws from one seed: a fixed default, so a CI run is reproducible,
 * printed once here; FUZZ_SEED=<n> replays a run, FUZZ_SEED=random draws a new one. Loaded before every
 * test file by .mocharc.json.
 */
import fc from 'fast-check';
import { fuzzSeed } from './fuzz-seed.ts';

const seed = fuzzSeed();
fc.configureGlobal({ seed });
process.stdout.write(
  `fast-check seed ${seed} (FUZZ_SEED=${seed} replays this run; FUZZ_SEED=random varies it)\n`,
);
