// Every @Service class imports its tokens from here, so this polyfill is loaded before any
// decorator runs: typedi reads constructor types through Reflect.getMetadata. Idempotent,
// and shared with the application's own copy.
import 'reflect-metadata';
import { Token } from 'typedi';
import type { Clock } from '../clock/clock';
import type { BaseAppSettings } from '../config/base-app-settings';
import type { RevocationStore } from '../revocation/revocation-store';

/** The validated settings (a `BaseAppSettings` or a subclass). */
export const SECURITY_SETTINGS = new Token<BaseAppSettings>('fastcore.security.settings');

/** The clock every service reads "now" from; tests put a frozen one here. */
export const SECURITY_CLOCK = new Token<Clock>('fastcore.security.clock');

/** Where revocations, user cutoffs and spent refresh tokens live. */
export const REVOCATION_STORE = new Token<RevocationStore>('fastcore.security.revocation-store');
