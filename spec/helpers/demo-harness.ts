import request from 'supertest';
import type { TokenPair } from '../../src';
import { createDemoApp } from '../../demo/demo-app';
import type { DemoApp } from '../../demo/demo-app';
import { jsonLogger } from '../../demo/logging/json-logger';
import type { MemoryUserStore } from '../../demo/users/memory-user-store';
import { FrozenClock } from './frozen-clock';
import { testEnvironment } from './test-environment';

/** The demo app on a frozen clock, with its log lines captured. */
export interface DemoHarness {
  demo: DemoApp;
  clock: FrozenClock;
  logs: string[];
  http: () => request.Agent;
  store: MemoryUserStore;
  login: (username: string, password: string) => Promise<TokenPair>;
}

export async function demoHarness(env: NodeJS.ProcessEnv = {}): Promise<DemoHarness> {
  const clock = new FrozenClock();
  const logs: string[] = [];
  const demo = await createDemoApp({
    env: testEnvironment(env),
    logger: jsonLogger((line) => logs.push(line)),
    clock,
  });
  const callback = demo.app.callback();
  const http = () => request.agent(callback);
  return {
    demo,
    clock,
    logs,
    http,
    store: demo.users.store as MemoryUserStore,
    login: async (username, password) => {
      const response = await http().post('/auth/login').send({ username, password }).expect(200);
      return response.body as TokenPair;
    },
  };
}

export const bearer = (token: string): Record<string, string> => ({
  Authorization: `Bearer ${token}`,
});
