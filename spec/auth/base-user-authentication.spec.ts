import bcrypt from 'bcrypt';
import { expect } from 'chai';
import {
  CurrentPasswordError,
  InvalidCredentialsError,
  InvalidTokenError,
  PasswordPolicyError,
  TokenRevokedError,
  TooManyAttemptsError,
} from '../../src/errors/security-errors';
import { decodePayload } from '../helpers/forge-token';
import { spyOnBcryptCompare } from '../helpers/bcrypt-spy';
import { MemoryUsers } from '../helpers/memory-users';
import type { TestUser } from '../helpers/memory-users';
import { rejection as failure } from '../helpers/rejection';
import { createSecurityFixture } from '../helpers/security-fixture';
import type { SecurityFixture } from '../helpers/security-fixture';

describe('BaseUserAuthentication', () => {
  let f: SecurityFixture;
  let auth: MemoryUsers;
  const addUser = (email: string, password: string, extra: Partial<TestUser> = {}) =>
    auth.add(email, password, extra);

  beforeEach(() => {
    auth = new MemoryUsers();
    f = createSecurityFixture({ BCRYPT_ROUNDS: '5' }, undefined, { userAuthentication: auth });
  });

  it('logs a user in with a token pair whose subject is the user id', async () => {
    await addUser('admin@example.com', 'admin-password', { roles: ['admin'] });
    const pair = await auth.login('Admin@Example.com', 'admin-password');
    const claims = await f.revocation.verifyAccessToken(pair.access_token);
    expect(claims).to.deep.include({ sub: '1', roles: ['admin'] });
  });

  it('authenticateUser is throttled as login is: failures count, and a locked account is a 429', async () => {
    await addUser('user@example.com', 'user-password');
    const client = { address: '192.0.2.7' };
    expect(await auth.authenticateUser('user@example.com', 'user-password', client)).to.not.equal(
      null,
    );
    for (let i = 0; i < f.settings.LOGIN_MAX_ATTEMPTS; i += 1) {
      expect(await auth.authenticateUser('user@example.com', 'wrong-password', client)).to.equal(
        null,
      );
    }
    expect(
      await failure(auth.authenticateUser('user@example.com', 'user-password', client)),
    ).to.be.instanceOf(TooManyAttemptsError);
  });

  it('every spelling the lookup folds into one account counts on one counter (loginNameKey)', async () => {
    /** A lookup that ignores dots in the mailbox, as some providers do. */
    class DotlessUsers extends MemoryUsers {
      override getUserByUsername(username: string) {
        return super.getUserByUsername(this.loginNameKey(username));
      }
      override loginNameKey(username: string): string {
        const [mailbox = '', domain = ''] = super.loginNameKey(username).split('@');
        return `${mailbox.replace(/\./g, '')}@${domain}`;
      }
    }
    const dotless = new DotlessUsers();
    const g = createSecurityFixture({ BCRYPT_ROUNDS: '4' }, undefined, {
      userAuthentication: dotless,
    });
    await dotless.add('admin@example.com', 'admin-password');
    const client = { address: '192.0.2.9' };
    const spellings = [
      'a.dmin@example.com',
      'ad.min@example.com',
      'adm.in@example.com',
      'ADMI.N@example.com',
      ' a.d.m.i.n@example.com',
    ];
    for (const spelling of spellings.slice(0, g.settings.LOGIN_MAX_ATTEMPTS)) {
      expect(await failure(dotless.login(spelling, 'guess', client))).to.be.instanceOf(
        InvalidCredentialsError,
      );
    }
    expect(
      await failure(dotless.login('a.d.mi.n@example.com', 'admin-password', client)),
    ).to.be.instanceOf(TooManyAttemptsError);
  });

  it('authenticateUser returns the user, or null as the original module did', async () => {
    const user = await addUser('user@example.com', 'user-password');
    expect(await auth.authenticateUser('user@example.com', 'user-password')).to.equal(user);
    expect(await auth.authenticateUser('user@example.com', 'wrong-password')).to.equal(null);
  });

  it('G1 unknown user, wrong password and inactive user fail identically', async () => {
    await addUser('user@example.com', 'user-password');
    await addUser('gone@example.com', 'gone-password', { is_active: false });
    const errors = [
      await failure(auth.login('nobody@example.com', 'user-password')),
      await failure(auth.login('user@example.com', 'wrong-password')),
      await failure(auth.login('gone@example.com', 'gone-password')),
    ];
    for (const error of errors) {
      expect(error).to.be.instanceOf(InvalidCredentialsError);
      expect(JSON.stringify(error)).to.equal(JSON.stringify(errors[0]));
    }
  });

  describe('G2 equal work whatever the reason', () => {
    let spy: ReturnType<typeof spyOnBcryptCompare>;
    beforeEach(() => (spy = spyOnBcryptCompare()));
    afterEach(() => spy.restore());

    it('an unknown user, an inactive user and a wrong password each cost one compare at the configured cost', async () => {
      spy.restore();
      await addUser('user@example.com', 'user-password');
      await addUser('gone@example.com', 'gone-password', { is_active: false });
      spy = spyOnBcryptCompare();
      await auth.authenticateUser('nobody@example.com', 'user-password');
      await auth.authenticateUser('gone@example.com', 'gone-password');
      await auth.authenticateUser('user@example.com', 'wrong-password');
      expect(spy.calls).to.have.length(3);
      for (const call of spy.calls) expect(call.hash).to.match(/^\$2b\$05\$/);
    });
  });

  it('F5 a null, empty or corrupt stored hash is a plain login failure', async () => {
    for (const hashed_password of [null, '', '$2b$10$corrupt']) {
      auth.users.set('broken@example.com', {
        id: 9,
        email: 'broken@example.com',
        hashed_password,
        roles: [],
        is_active: true,
      });
      expect(await failure(auth.login('broken@example.com', 'any-password'))).to.be.instanceOf(
        InvalidCredentialsError,
      );
    }
  });

  it('F2 "a"*72 + "x" does not log in as "a"*72', async () => {
    await addUser('long@example.com', 'a'.repeat(72));
    expect(await auth.authenticateUser('long@example.com', `${'a'.repeat(72)}x`)).to.equal(null);
    expect(await auth.authenticateUser('long@example.com', 'a'.repeat(72))).not.to.equal(null);
  });

  it('G6 a hash below the configured cost logs in and is upgraded', async () => {
    const user = await addUser('old@example.com', 'old-password');
    user.hashed_password = await bcrypt.hash('old-password', 4);
    await auth.login('old@example.com', 'old-password');
    expect(auth.upgrades).to.deep.equal(['old@example.com']);
    expect(user.hashed_password).to.match(/^\$2b\$05\$/);
    await auth.login('old@example.com', 'old-password');
    expect(auth.upgrades, 'no second upgrade').to.have.length(1);
  });

  it('G6 a store error while saving the upgraded hash is reported, and the login still succeeds', async () => {
    const reported: [string, unknown][] = [];
    const users = new MemoryUsers();
    createSecurityFixture({ BCRYPT_ROUNDS: '5' }, undefined, {
      userAuthentication: users,
      reportError: (event, error) => reported.push([event, error]),
    });
    const user = await users.add('old@example.com', 'old-password');
    user.hashed_password = await bcrypt.hash('old-password', 4);
    const failure = new Error('connection terminated');
    users.updatePasswordHash = () => Promise.reject(failure);
    const pair = await users.login('old@example.com', 'old-password');
    expect(pair.token_type).to.equal('bearer');
    expect(reported).to.deep.equal([['password_rehash_failed', failure]]);
    expect(user.hashed_password, 'the old hash is kept').to.match(/^\$2b\$04\$/);
  });

  it("G6 a legacy password below today's minimum still logs in, keeping its hash", async () => {
    const user = await addUser('legacy@example.com', 'placeholder-pw');
    user.hashed_password = (await bcrypt.hash('abc', 4)).replace(/^\$2b\$/, '$2y$');
    await auth.login('legacy@example.com', 'abc');
    expect(auth.upgrades).to.deep.equal([]);
  });

  it('G4 a non-string username or password is a login failure, not a crash', async () => {
    await addUser('user@example.com', 'user-password');
    const hostile = { $ne: null } as unknown as string;
    expect(await auth.authenticateUser(hostile, 'user-password')).to.equal(null);
    expect(await auth.authenticateUser('user@example.com', hostile)).to.equal(null);
  });

  describe('refresh', () => {
    it("issues the pair with the user's current roles", async () => {
      const user = await addUser('user@example.com', 'user-password');
      const pair = await auth.login('user@example.com', 'user-password');
      user.roles = ['user', 'editor'];
      const next = await auth.refresh(pair.refresh_token);
      expect(decodePayload(next.access_token)['roles']).to.deep.equal(['user', 'editor']);
    });

    it('refuses a user who is gone or inactive', async () => {
      const user = await addUser('user@example.com', 'user-password');
      const first = await auth.login('user@example.com', 'user-password');
      user.is_active = false;
      expect(await failure(auth.refresh(first.refresh_token))).to.be.instanceOf(InvalidTokenError);
      user.is_active = true;
      const second = await auth.login('user@example.com', 'user-password');
      auth.users.clear();
      expect(await failure(auth.refresh(second.refresh_token))).to.be.instanceOf(InvalidTokenError);
    });
  });

  describe('logout', () => {
    it('D1 ends the session: the access token, the refresh token and the whole family', async () => {
      await addUser('user@example.com', 'user-password');
      const pair = await auth.login('user@example.com', 'user-password');
      const other = await auth.login('user@example.com', 'user-password');
      const claims = await f.revocation.verifyAccessToken(pair.access_token);
      await auth.logout(claims, pair.refresh_token);
      expect(await failure(f.revocation.verifyAccessToken(pair.access_token))).to.be.instanceOf(
        TokenRevokedError,
      );
      expect(await failure(auth.refresh(pair.refresh_token))).to.be.instanceOf(TokenRevokedError);
      expect((await f.revocation.verifyAccessToken(other.access_token)).sub).to.equal('1');
    });

    it('revokes the family even without the refresh token in the body', async () => {
      await addUser('user@example.com', 'user-password');
      const pair = await auth.login('user@example.com', 'user-password');
      await auth.logout(await f.revocation.verifyAccessToken(pair.access_token));
      expect(await failure(auth.refresh(pair.refresh_token))).to.be.instanceOf(TokenRevokedError);
    });

    it("ignores a refresh token that is invalid or someone else's", async () => {
      await addUser('user@example.com', 'user-password');
      await addUser('admin@example.com', 'admin-password');
      const mine = await auth.login('user@example.com', 'user-password');
      const theirs = await auth.login('admin@example.com', 'admin-password');
      const claims = await f.revocation.verifyAccessToken(mine.access_token);
      for (const refresh of ['garbage', theirs.access_token, theirs.refresh_token, 42, undefined]) {
        await auth.logout(claims, refresh);
      }
      expect((await auth.refresh(theirs.refresh_token)).token_type).to.equal('bearer');
    });
  });

  it('logoutAll ends every session of the user (D7)', async () => {
    const user = await addUser('user@example.com', 'user-password');
    const a = await auth.login('user@example.com', 'user-password');
    const b = await auth.login('user@example.com', 'user-password');
    await auth.logoutAll(user);
    for (const pair of [a, b]) {
      expect(await failure(f.revocation.verifyAccessToken(pair.access_token))).to.be.instanceOf(
        TokenRevokedError,
      );
    }
    const after = await auth.login('user@example.com', 'user-password');
    expect((await f.revocation.verifyAccessToken(after.access_token)).sub).to.equal('1');
  });

  describe('changePassword', () => {
    it('D7 stores the new hash and revokes every older token', async () => {
      const user = await addUser('user@example.com', 'user-password');
      const before = await auth.login('user@example.com', 'user-password');
      await auth.changePassword(user, 'user-password', 'a-brand-new-password');
      expect(await failure(f.revocation.verifyAccessToken(before.access_token))).to.be.instanceOf(
        TokenRevokedError,
      );
      expect(await auth.authenticateUser('user@example.com', 'user-password')).to.equal(null);
      const after = await auth.login('user@example.com', 'a-brand-new-password');
      expect((await f.revocation.verifyAccessToken(after.access_token)).sub).to.equal('1');
    });

    it('refuses a wrong current password and a new password the policy refuses, changing nothing', async () => {
      const user = await addUser('user@example.com', 'user-password');
      const session = await auth.login('user@example.com', 'user-password');
      expect(
        await failure(auth.changePassword(user, 'wrong-password', 'a-brand-new-password')),
      ).to.be.instanceOf(CurrentPasswordError);
      expect(await failure(auth.changePassword(user, 'user-password', 'short'))).to.be.instanceOf(
        PasswordPolicyError,
      );
      expect((await f.revocation.verifyAccessToken(session.access_token)).sub).to.equal('1');
      expect(await auth.authenticateUser('user@example.com', 'user-password')).to.equal(user);
    });
  });
});
