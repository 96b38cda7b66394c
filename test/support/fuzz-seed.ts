/**
 * The seed every property and fuzz test draws from: a fixed default, so a CI run is reproducible, printed
 * by the tests that use it. FUZZ_SEED=<n> replays a given run; FUZZ_SEED=random draws a new one.
 */
const DEFAULT_SEED = 20_261_130;

export function fuzzSeed(): number {
  const raw = process.env.FUZZ_SEED?.trim();
  if (raw === undefined || raw === '') return DEFAULT_SEED;
  if (raw === 'random') return Math.floor(Math.random() * 2_147_483_647);
  const seed = Number(raw);
  if (!Number.isInteger(seed))
    throw new Error(`FUZZ_SEED: expected a whole number or "random", got "${raw}"`);
  return seed;
}
