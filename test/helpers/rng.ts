/** Tests use the run's own seeded RNG: same seed, same sequence, values in [0, 1). */
export { createRng as seededRng } from '../../src/chaos/rng.js';
