export { EXIT, main, VERSION } from './main.js';
export type { Io } from './main.js';
