import type { AuditTrail } from '../audit/audit-trail';
import type { LoginClient } from '../auth/login-client';
import type { Principal } from '../auth/principal';
import type { AccessPolicy } from '../authorization/access-policy';
import type { Clock } from '../clock/clock';
import type { BaseAppSettings } from '../config/base-app-settings';
import { SessionNotFoundError, TokenRevokedError } from '../errors/security-errors';
import type { ErrorReporter } from '../logging/error-reporter';
import { RevocationLifetimes } from '../revocation/revocation-lifetimes';
import type { RevocationStore } from '../revocation/revocation-store';
import type { SessionGate } from '../revocation/session-gate';
import type { RefreshTokenClaims } from '../tokens/token-claims';
import type { RefreshFamily } from '../tokens/token-pair';
import type { SessionRecord, SessionRegistry } from './session-registry';

/** How often, and how far apart, the revocation of evicted sessions is tried again. */
const EVICTION_RETRIES = 5;
const EVICTION_RETRY_MS = 1000;

/** A session id as `startFamily` makes it: a UUID. */
const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A session as its owner sees it: never a token, nor a hash of one. */
export interface SessionView {
  id: string;
  created_at: string;
  last_used_at: string;
  expires_at: string;
  address: string | null;
  user_agent: string | null;
  /** The session of the request that asked. */
  current: boolean;
}

/**
 * Sessions a user can see and end. A session is one login (its refresh family) and the
 * refresh tokens rotation carries on from it; the registry lists them, the revocation store
 * ends them. Every login registers its session, and past `MAX_SESSIONS_PER_USER` the oldest
 * ends; a refresh of a registered session (`fam_reg`) goes on only while it is registered,
 * whoever rotates it (so an evicted session's refresh tokens need no revocation entry of
 * their own); ending a session revokes its family, which stops its tokens at once on every
 * instance.
 */
export class SessionService implements SessionGate {
  private readonly lifetimes: RevocationLifetimes;

  constructor(
    private readonly registry: SessionRegistry,
    private readonly store: RevocationStore,
    private readonly settings: BaseAppSettings,
    private readonly accessPolicy: AccessPolicy,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    private readonly reportError: ErrorReporter,
  ) {
    this.lifetimes = new RevocationLifetimes(settings);
  }

  /**
   * Registers the session a login starts, and marks it registered (its tokens carry
   * `fam_reg`: a refresh of it then needs it registered). Past the bound, the user's oldest
   * sessions leave the registry in the same atomic step, so their refresh tokens are refused
   * from then on, and their families are revoked for as long as an access token of theirs
   * could live: a script logging in in a loop grows nothing.
   * @throws StoreUnavailableError (the login answers 503 and issues nothing, and the registry
   *   is as it was; should putting it back fail too, the revocation of the evicted sessions is
   *   tried again by itself, and reported if it keeps failing).
   */
  async started(userId: string, family: RefreshFamily, client: LoginClient): Promise<void> {
    const now = this.clock.now();
    const record: SessionRecord = {
      id: family.id,
      userId,
      createdAtMs: family.startedAtMs,
      // The session's start may be a little ahead of the clock (the token service's floor).
      lastUsedAtMs: Math.max(now, family.startedAtMs),
      expiresAtMs: family.expiresAt * 1000,
      ...(family.epoch === undefined ? {} : { epoch: family.epoch }),
      ...(client.address === undefined ? {} : { address: client.address }),
      ...(client.userAgent === undefined || client.userAgent === ''
        ? {}
        : { userAgent: client.userAgent }),
    };
    const max = this.settings.MAX_SESSIONS_PER_USER;
    const evicted = await this.registry.add(record, max);
    family.registered = true;
    try {
      await this.endForLimit(evicted);
    } catch (error) {
      // The login answers 503: the registry goes back as it was, if it can; else the evicted
      // sessions' revocation is tried again (their refresh tokens are refused meanwhile).
      const undone = await this.registry
        .remove(userId, record.id)
        .then(async () => {
          for (const session of evicted) await this.registry.add(session, max);
          return true;
        })
        .catch(() => false);
      if (!undone) void this.retryEndForLimit(evicted, EVICTION_RETRIES);
      throw error;
    }
  }

  /**
   * Refuses a refresh whose session is no longer registered (ended, evicted, expired).
   * @throws TokenRevokedError (401); StoreUnavailableError.
   */
  async assertLive(claims: RefreshTokenClaims): Promise<void> {
    const session = await this.registry.get(claims.sub, claims.fam);
    if (session === undefined) throw new TokenRevokedError('session_ended');
  }

  /** After a refresh: when it was last used. Best effort: a failure is reported, not thrown. */
  async refreshed(claims: RefreshTokenClaims): Promise<void> {
    await this.registry
      .touch(claims.sub, claims.fam, this.clock.now())
      .catch((error: unknown) => this.reportError('session_touch_failed', error));
  }

  /** The caller's live sessions, newest first, the current one marked. */
  async list(principal: Principal): Promise<SessionView[]> {
    const sessions = await this.liveSessions(principal.claims.sub);
    return sessions.map((session) => view(session, session.id === principal.claims.fam));
  }

  /**
   * Ends one of the caller's sessions, at once on every instance.
   * @throws SessionNotFoundError (404) for an id that is not the caller's live session,
   *   whoever owns it: ids cannot be probed.
   */
  async end(principal: Principal, id: string): Promise<void> {
    await this.endOne(principal.claims.sub, id, 'ended');
  }

  /**
   * Ends a session of any user, for someone with one of `grants` (or its owner).
   * @throws ForbiddenError (403) without the grant; SessionNotFoundError (404).
   */
  async endFor(
    actor: Principal,
    userId: string,
    id: string,
    grants: readonly string[],
  ): Promise<void> {
    this.accessPolicy.assertOwnerOr(actor, userId, grants);
    const byOwner = actor.claims.sub === userId;
    await this.endOne(userId, id, byOwner ? 'ended' : 'ended_by_admin', actor.claims.sub);
  }

  /**
   * Ends every session of the caller but the current one: the ones listed now (a login that
   * registers meanwhile is not touched).
   */
  async endOthers(principal: Principal): Promise<void> {
    const userId = principal.claims.sub;
    const others = (await this.registry.list(userId)).filter((s) => s.id !== principal.claims.fam);
    for (const session of others) {
      await this.revoke(session);
      this.audit.record({
        type: 'session_ended',
        userId,
        familyId: session.id,
        reason: 'others_ended',
      });
    }
    await this.removeEnded(userId, others);
  }

  /**
   * Takes back a session registered by `started` for which no token was issued (a login
   * that found it must ask for a second factor after all). Nothing of it is left to end.
   */
  async withdrawn(userId: string, id: string): Promise<void> {
    await this.registry.remove(userId, id);
  }

  /**
   * Drops from the list the sessions the revocation store has ended (a logout: `id`; a
   * cutoff: every session it ended, not one started after it). Best effort: the list leaves
   * out revoked sessions anyway.
   */
  async forget(userId: string, id?: string): Promise<void> {
    try {
      const sessions = await this.registry.list(userId);
      const revoked = await this.revokedAmong(userId, sessions);
      await this.removeEnded(
        userId,
        revoked.filter((s) => id === undefined || s.id === id),
      );
    } catch (error) {
      this.reportError('session_forget_failed', error);
    }
  }

  private async endOne(
    userId: string,
    id: string,
    reason: 'ended' | 'ended_by_admin',
    actorId?: string,
  ): Promise<void> {
    // Any text may come from a URL: what is no session id of ours is not found, unread.
    const session = SESSION_ID.test(id)
      ? (await this.liveSessions(userId)).find((s) => s.id === id)
      : undefined;
    if (session === undefined) throw new SessionNotFoundError();
    // Ended once revoked: the audit says so, whatever happens to the list afterwards.
    await this.revoke(session);
    this.audit.record({
      type: 'session_ended',
      userId,
      familyId: id,
      reason,
      ...(reason === 'ended_by_admin' ? { actorId } : {}),
    });
    await this.removeEnded(userId, [session]);
  }

  /** Drops ended sessions from the list. Best effort: the list leaves out revoked ones. */
  private async removeEnded(userId: string, sessions: readonly SessionRecord[]): Promise<void> {
    await Promise.all(sessions.map((s) => this.registry.remove(userId, s.id))).catch(
      (error: unknown) => this.reportError('session_forget_failed', error),
    );
  }

  /** Registered sessions the revocation store has not ended (a logout, a cutoff). */
  private async liveSessions(userId: string): Promise<SessionRecord[]> {
    const sessions = await this.registry.list(userId);
    const revoked = new Set(await this.revokedAmong(userId, sessions));
    return sessions.filter((s) => !revoked.has(s));
  }

  /** The sessions among `sessions` that the revocation store has ended. */
  private async revokedAmong(
    userId: string,
    sessions: readonly SessionRecord[],
  ): Promise<SessionRecord[]> {
    const revoked = await Promise.all(
      sessions.map((session) =>
        this.store.isRevoked({
          jti: '',
          subject: userId,
          startedAtMs: session.createdAtMs,
          familyId: session.id,
          sessionEpoch: session.epoch,
        }),
      ),
    );
    return sessions.filter((_, index) => revoked[index]);
  }

  /** Every token of the session stops working, on every instance. */
  private async revoke(session: SessionRecord): Promise<void> {
    await this.store.revokeFamily(
      session.userId,
      session.id,
      this.lifetimes.sessionTokensEnd(session.expiresAtMs),
    );
  }

  /** Tries the revocation of evicted sessions again after a pause; reports the last failure. */
  private async retryEndForLimit(sessions: readonly SessionRecord[], left: number): Promise<void> {
    await new Promise((next) => setTimeout(next, EVICTION_RETRY_MS).unref());
    try {
      await this.endForLimit(sessions);
    } catch (error) {
      if (left > 1) void this.retryEndForLimit(sessions, left - 1);
      else this.reportError('session_eviction_failed', error);
    }
  }

  private async endForLimit(sessions: readonly SessionRecord[]): Promise<void> {
    const until = this.lifetimes.accessTokensEnd(this.clock.now());
    for (const session of sessions) {
      await this.store.revokeFamily(session.userId, session.id, until);
      this.audit.record({
        type: 'session_ended',
        userId: session.userId,
        familyId: session.id,
        reason: 'limit',
      });
    }
  }
}

function view(session: SessionRecord, current: boolean): SessionView {
  return {
    id: session.id,
    created_at: new Date(session.createdAtMs).toISOString(),
    last_used_at: new Date(session.lastUsedAtMs).toISOString(),
    expires_at: new Date(session.expiresAtMs).toISOString(),
    address: session.address ?? null,
    user_agent: session.userAgent ?? null,
    current,
  };
}
