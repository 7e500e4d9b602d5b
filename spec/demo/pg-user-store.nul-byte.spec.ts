import { expect } from 'chai';
import { InvalidRequestError } from '../../src';
import { PgUserStore } from '../../demo/users/pg-user-store';
import { infrastructureHarness, sharedInfrastructure } from '../helpers/demo-harness';
import type { DemoHarness, SharedInfrastructure } from '../helpers/demo-harness';
import {
  eachTestSchema,
  postgresAnswers,
  redisAnswers,
  requireServer,
} from '../helpers/real-servers';
import { rejection } from '../helpers/rejection';

describe('PgUserStore: a NUL byte (which PostgreSQL text cannot hold) is no database error', function () {
  before(async function () {
    await requireServer(this, 'PostgreSQL', postgresAnswers);
    await requireServer(this, 'Redis', redisAnswers);
  });

  describe('the store', () => {
    const db = eachTestSchema();

    it('finds no user for an email with a NUL byte', async () => {
      const store = new PgUserStore(db.pool);
      await store.create({
        email: 'a@example.com',
        hashed_password: 'h',
        roles: [],
        is_active: true,
      });
      expect(await store.findByEmail('a@example.com\u0000')).to.equal(undefined);
      expect(await store.findByEmail('\u0000')).to.equal(undefined);
    });

    it('refuses to create one with InvalidRequestError (400), not a driver error', async () => {
      const error = await rejection(
        new PgUserStore(db.pool).create({
          email: 'a\u0000@example.com',
          hashed_password: 'h',
          roles: [],
          is_active: true,
        }),
      );
      expect(error).to.be.instanceOf(InvalidRequestError);
    });
  });

  describe('the demo', () => {
    let infrastructure: SharedInfrastructure;
    let h: DemoHarness;
    beforeEach(async () => {
      infrastructure = await sharedInfrastructure();
      h = await infrastructureHarness(infrastructure);
    });
    afterEach(async () => {
      await h.close();
      await infrastructure.drop();
    });

    it('login with a NUL byte in the username answers exactly as an unknown user: 401', async () => {
      const login = (username: string) =>
        h.http().post('/auth/login').send({ username, password: 'user-password' });
      const unknown = await login('nobody@example.com');
      for (const username of ['user@example.com\u0000', '\u0000', 'user\u0000@example.com']) {
        const answer = await login(username);
        expect(answer.status).to.equal(401);
        expect(answer.body).to.deep.equal(unknown.body);
        expect(answer.headers['www-authenticate']).to.equal(unknown.headers['www-authenticate']);
      }
      const form = await h
        .http()
        .post('/auth/login')
        .type('form')
        .send('grant_type=password&username=user%40example.com%00&password=user-password');
      expect(form.status).to.equal(401);
      expect(h.logs.join('\n')).not.to.contain('server_error');
    });

    it('registration with a NUL byte in the email is 400 invalid_request, not a 500', async () => {
      const answer = await h
        .http()
        .post('/auth/register')
        .send({ email: 'new\u0000@example.com', password: 'new-password-1' });
      expect(answer.status).to.equal(400);
      expect(answer.body.error).to.equal('invalid_request');
      expect(h.logs.join('\n')).not.to.contain('server_error');
    });
  });
});
