// Loaded by mocha before every spec (see .mocharc.json): decorator metadata must exist
// before any @Service class is evaluated.
import 'reflect-metadata';
import { failWhenHeldOpen } from './held-open';

// A run that cannot exit fails loudly, naming what holds it, instead of hanging.
export const mochaHooks = failWhenHeldOpen();
