import { expect } from 'chai';
import { DemoSettings } from '../../demo/config/demo-settings';
import { testEnvironment } from '../helpers/test-environment';

const originsOf = (env: Record<string, string>) =>
  new DemoSettings(testEnvironment(env)).cookies.allowedOrigins;

describe('demo settings: the default ALLOWED_ORIGINS is the demo’s own origin', () => {
  it('for a loopback or wildcard HOST, every name a local browser reaches it by', () => {
    for (const host of ['127.0.0.1', 'localhost', '0.0.0.0', '::', '::1']) {
      expect(originsOf({ HOST: host, PORT: '4100' }), host).to.deep.equal([
        'http://localhost:4100',
        'http://127.0.0.1:4100',
        'http://[::1]:4100',
      ]);
    }
  });

  it('for another HOST, http://HOST:PORT only (an IPv6 address in brackets)', () => {
    expect(originsOf({ HOST: 'demo.internal', PORT: '80' })).to.deep.equal([
      'http://demo.internal',
    ]);
    expect(originsOf({ HOST: '10.0.0.5', PORT: '3000' })).to.deep.equal(['http://10.0.0.5:3000']);
    expect(originsOf({ HOST: 'fd00::5', PORT: '3000' })).to.deep.equal(['http://[fd00::5]:3000']);
  });

  it('ALLOWED_ORIGINS in the environment replaces it', () => {
    expect(originsOf({ ALLOWED_ORIGINS: 'https://app.example.com' })).to.deep.equal([
      'https://app.example.com',
    ]);
  });
});
