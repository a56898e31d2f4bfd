export { createRng, forkRng, type Rng } from './rng.js';
