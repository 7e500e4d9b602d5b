import { expect } from 'chai';
import type { Response } from 'supertest';
import { DOCS_CONTENT_SECURITY_POLICY } from '../../demo/controllers/docs-controller';
import { API_CONTENT_SECURITY_POLICY } from '../../demo/http/security-headers';
import { demoHarness } from '../helpers/demo-harness';
import type { DemoHarness } from '../helpers/demo-harness';

function expectSecurityHeaders(response: Response, policy: string): void {
  const { headers, status } = response;
  const at = `${status} ${String(headers['content-type'])}`;
  expect(headers['x-frame-options'], at).to.equal('DENY');
  expect(headers['x-content-type-options'], at).to.equal('nosniff');
  expect(headers['referrer-policy'], at).to.equal('no-referrer');
  expect(headers['content-security-policy'], at).to.equal(policy);
}

/** A directive of a policy: `[name, ...sources]`, or undefined. */
function directive(policy: string, name: string): string[] | undefined {
  return policy
    .split(';')
    .map((part) => part.trim().split(/\s+/))
    .find(([first]) => first === name);
}

describe('demo: security headers on its own pages and answers', () => {
  let h: DemoHarness;
  before(async () => (h = await demoHarness()));
  after(async () => h.close());

  it('/docs: a CSP that lets Swagger UI run but nothing inline or foreign, and no framing', async () => {
    const page = await h.http().get('/docs').expect(200);
    expectSecurityHeaders(page, DOCS_CONTENT_SECURITY_POLICY);
    expect(directive(DOCS_CONTENT_SECURITY_POLICY, 'default-src')).to.deep.equal([
      'default-src',
      "'none'",
    ]);
    expect(directive(DOCS_CONTENT_SECURITY_POLICY, 'script-src')).to.deep.equal([
      'script-src',
      "'self'",
    ]);
    expect(directive(DOCS_CONTENT_SECURITY_POLICY, 'frame-ancestors')).to.deep.equal([
      'frame-ancestors',
      "'none'",
    ]);
    expect(DOCS_CONTENT_SECURITY_POLICY).not.to.match(/unsafe-inline|unsafe-eval|\*|https?:/);
    // script-src 'self' holds only while the page has no inline script.
    expect(page.text.match(/<script[^>]*>/g)).to.satisfy((tags: string[]) =>
      tags.every((tag) => / src="\/docs\//.test(tag)),
    );
  });

  it('the Swagger UI assets, oauth2-redirect.html included', async () => {
    for (const asset of ['swagger-ui-bundle.js', 'swagger-ui.css', 'oauth2-redirect.html']) {
      expectSecurityHeaders(
        await h.http().get(`/docs/${asset}`).expect(200),
        DOCS_CONTENT_SECURITY_POLICY,
      );
    }
  });

  it('JSON answers and every error answer: nothing to load, run or frame', async () => {
    const answers = [
      await h.http().get('/health').expect(200),
      await h.http().get('/openapi.json').expect(200),
      await h.http().get('/.well-known/jwks.json').expect(200),
      await h.http().get('/users/me').expect(401),
      await h.http().get('/no-such-route').expect(404),
      await h.http().post('/auth/login').send({ username: 1 }).expect(400),
      await h
        .http()
        .post('/auth/login')
        .send({ username: 'x@example.com', password: 'x' })
        .expect(401),
      await h.http().get('/docs/package.json').expect(404),
    ];
    for (const answer of answers) expectSecurityHeaders(answer, API_CONTENT_SECURITY_POLICY);
    expect(directive(API_CONTENT_SECURITY_POLICY, 'default-src')).to.deep.equal([
      'default-src',
      "'none'",
    ]);
    expect(directive(API_CONTENT_SECURITY_POLICY, 'frame-ancestors')).to.deep.equal([
      'frame-ancestors',
      "'none'",
    ]);
  });
});
