import { randomUUID } from 'node:crypto';
import { Container } from 'typedi';
import type { ContainerInstance } from 'typedi';
import { BaseAppSettings } from '../../src/config/base-app-settings';
import type { Environment } from '../../src/config/env-reader';
import { configureSecurity } from '../../src/security/configure-security';
import type { SecurityOptions } from '../../src/security/security-options';
import { PasswordHasher } from '../../src/password/password-hasher';
import { MemoryRevocationStore } from '../../src/revocation/memory-revocation-store';
import { RedisRevocationStore } from '../../src/revocation/redis-revocation-store';
import { MemorySessionRegistry } from '../../src/sessions/memory-session-registry';
import { RefreshRotationService } from '../../src/revocation/refresh-rotation-service';
import { RevocationService } from '../../src/revocation/revocation-service';
import type { RevocationStore } from '../../src/revocation/revocation-store';
import { TokenService } from '../../src/tokens/token-service';
import { FrozenClock } from './frozen-clock';
import { testEnvironment } from './test-environment';

/** Every service of the library in a container of its own, on a frozen clock. */
export interface SecurityFixture {
  container: ContainerInstance;
  clock: FrozenClock;
  settings: BaseAppSettings;
  store: RevocationStore;
  tokens: TokenService;
  revocation: RevocationService;
  rotation: RefreshRotationService;
  hasher: PasswordHasher;
}

export function createSecurityFixture(
  env: Environment = {},
  store?: (clock: FrozenClock) => RevocationStore,
  options: Omit<SecurityOptions, 'settings' | 'clock' | 'revocationStore'> = {},
): SecurityFixture {
  const clock = new FrozenClock();
  const settings = new BaseAppSettings(testEnvironment(env));
  const revocationStore = store ? store(clock) : new MemoryRevocationStore(clock);
  // A store of a spec's own (a fault, a spy) gets a registry of its own: one instance.
  const ownStore = !(
    revocationStore instanceof MemoryRevocationStore ||
    revocationStore instanceof RedisRevocationStore
  );
  const sessions = ownStore ? { sessionRegistry: new MemorySessionRegistry(clock) } : {};
  const container = configureSecurity(
    { ...sessions, ...options, settings, clock, revocationStore },
    Container.of(`spec-${randomUUID()}`),
  );
  return {
    container,
    clock,
    settings,
    store: revocationStore,
    tokens: container.get(TokenService),
    revocation: container.get(RevocationService),
    rotation: container.get(RefreshRotationService),
    hasher: container.get(PasswordHasher),
  };
}
