import type { SessionRecord } from './session-registry';
import { MAX_ADDRESS_LENGTH, MAX_USER_AGENT_LENGTH } from './session-registry';

/**
 * The checks and clean-up both registries apply to what they are given, before changing
 * anything, so that the memory and the Redis registry accept, keep and refuse the same.
 */

/** A surrogate without its other half: UTF-8 (and so Redis) cannot hold it as it is. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const HAS_LONE_SURROGATE = new RegExp(LONE_SURROGATE.source);
/** C0, DEL and C1: nothing a page should show, and line breaks would forge log lines. */
const CONTROL = /\p{Cc}/gu;

/**
 * A copy of `session` with only the record's fields, its text cleaned and cut.
 * @throws TypeError for a field of the wrong type, an empty id, times out of order.
 */
export function checkedSession(session: SessionRecord): SessionRecord {
  if (typeof session !== 'object' || session === null) {
    throw new TypeError('session must be a SessionRecord');
  }
  const checked: SessionRecord = {
    id: checkedId('session.id', session.id),
    userId: checkedId('session.userId', session.userId),
    createdAtMs: checkedTime('session.createdAtMs', session.createdAtMs),
    lastUsedAtMs: checkedTime('session.lastUsedAtMs', session.lastUsedAtMs),
    expiresAtMs: checkedTime('session.expiresAtMs', session.expiresAtMs),
  };
  if (checked.lastUsedAtMs < checked.createdAtMs) {
    throw new TypeError('session.lastUsedAtMs must not be before session.createdAtMs');
  }
  if (checked.expiresAtMs <= checked.createdAtMs) {
    throw new TypeError('session.expiresAtMs must be after session.createdAtMs');
  }
  if (session.epoch !== undefined) checked.epoch = checkedTime('session.epoch', session.epoch);
  const address = keptText('session.address', session.address, MAX_ADDRESS_LENGTH);
  if (address !== undefined) checked.address = address;
  const userAgent = keptText('session.userAgent', session.userAgent, MAX_USER_AGENT_LENGTH);
  if (userAgent !== undefined) checked.userAgent = userAgent;
  return checked;
}

/**
 * A user id or session id: a non-empty, well-formed string (no lone surrogate, which would
 * reach Redis as U+FFFD and name another entry).
 * @throws TypeError otherwise.
 */
export function checkedId(name: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    throw new TypeError(`${name} must be a non-empty string`);
  }
  if (HAS_LONE_SURROGATE.test(value)) throw new TypeError(`${name} must be a well-formed string`);
  return value;
}

/** `keepId` of `removeAllExcept`: `undefined`, or an id. */
export function checkedKeepId(value: unknown): string | undefined {
  return value === undefined ? undefined : checkedId('keepId', value);
}

/**
 * A time in milliseconds: a safe integer, so that every back end stores it exactly.
 * @throws TypeError otherwise (NaN, Infinity, a fraction, not a number).
 */
export function checkedTime(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new TypeError(`${name} must be a safe integer of milliseconds`);
  }
  return value;
}

/** @throws TypeError unless `value` is a positive safe integer. */
export function checkedMaxPerUser(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new TypeError('maxPerUser must be a positive integer');
  }
  return value;
}

/**
 * Text as kept: lone surrogates become U+FFFD, control characters are removed, then it is
 * cut to `max` UTF-16 code units, one less when the cut would split a surrogate pair.
 * `undefined` for nothing left.
 * @throws TypeError for a value neither a string nor `undefined`.
 */
function keptText(name: string, value: unknown, max: number): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string`);
  const clean = value.replace(LONE_SURROGATE, '\uFFFD').replace(CONTROL, '');
  let cut = clean.slice(0, max);
  if (cut.length < clean.length && isHighSurrogate(cut.charCodeAt(cut.length - 1))) {
    cut = cut.slice(0, -1);
  }
  return cut === '' ? undefined : cut;
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}
