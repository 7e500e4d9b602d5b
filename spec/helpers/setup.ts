// Loaded by mocha before every spec (see .mocharc.json): decorator metadata must exist
// before any @Service class is evaluated.
import 'reflect-metadata';
