import { expect } from 'chai';
import { DemoSettings } from '../../demo/config/demo-settings';
import { ConfigurationError } from '../../src';
import { testEnvironment } from '../helpers/test-environment';

const settings = (env: Record<string, string>) => new DemoSettings(testEnvironment(env));
const refusal = (env: Record<string, string>): ConfigurationError => {
  try {
    settings(env);
  } catch (error) {
    if (error instanceof ConfigurationError) return error;
    throw error;
  }
  throw new Error('accepted');
};

describe('demo settings: REDIS_URL, REDIS_CLUSTER_NODES, REDIS_SENTINELS', () => {
  it('reads the cluster nodes and the sentinels as host:port lists', () => {
    expect(
      settings({ REDIS_CLUSTER_NODES: '10.0.0.1:7000, 10.0.0.2:7001' }).REDIS_CLUSTER_NODES,
    ).to.deep.equal(['10.0.0.1:7000', '10.0.0.2:7001']);
    const sentinel = settings({ REDIS_SENTINELS: 'a:26379,[::1]:26380', REDIS_SENTINEL_NAME: 'm' });
    expect(sentinel.REDIS_SENTINELS).to.deep.equal(['a:26379', '[::1]:26380']);
    expect(sentinel.REDIS_SENTINEL_NAME).to.equal('m');
  });

  it('refuses two of them at once, naming the variables', () => {
    const pairs: Record<string, string>[] = [
      { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_CLUSTER_NODES: 'a:7000' },
      { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_SENTINELS: 'a:1', REDIS_SENTINEL_NAME: 'm' },
      { REDIS_CLUSTER_NODES: 'a:7000', REDIS_SENTINELS: 'a:1', REDIS_SENTINEL_NAME: 'm' },
    ];
    for (const env of pairs) {
      expect(refusal(env).message, JSON.stringify(env)).to.include('at most one of REDIS_URL');
    }
  });

  it('refuses a bad address without echoing the value, and sentinels without a name (or a name alone)', () => {
    for (const value of [
      'a',
      'a:',
      ':7000',
      'a:0',
      'a:70000',
      'redis://secret@a:7000',
      'a:7000,',
    ]) {
      const error = refusal({ REDIS_CLUSTER_NODES: value });
      expect(error.message).to.include('REDIS_CLUSTER_NODES');
      expect(error.message).not.to.include('secret');
    }
    expect(refusal({ REDIS_SENTINELS: 'a:26379' }).message).to.include('REDIS_SENTINEL_NAME');
    expect(refusal({ REDIS_SENTINEL_NAME: 'm' }).message).to.include('REDIS_SENTINEL_NAME');
  });
});
