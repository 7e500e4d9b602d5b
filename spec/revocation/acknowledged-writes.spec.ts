import { expect } from 'chai';
import { StoreUnavailableError } from '../../src/errors/security-errors';
import { AcknowledgedWrites } from '../../src/revocation/acknowledged-writes';
import { rejection } from '../helpers/rejection';

/** What a fake node answers one pipeline: its replies, or a rejection of the whole. */
type Answer = (commands: string[][]) => [Error | null, unknown][] | Error;

/** A writer whose pipelines record their commands and get `answer`'s replies. */
function fakeWriter(answer: Answer) {
  const sent: string[][][] = [];
  const writer = {
    pipeline() {
      const commands: string[][] = [];
      return {
        script: (...args: unknown[]) => commands.push(['script', ...args.map(String)]),
        call: (...args: unknown[]) => commands.push(args.map(String)),
        exec: () => {
          sent.push(commands);
          const replies = answer(commands);
          return replies instanceof Error ? Promise.reject(replies) : Promise.resolve(replies);
        },
      };
    },
  };
  return { writer, sent };
}

/**
 * A Cluster writer by shape: its pipelines as `fakeWriter`'s, and `refreshSlotsCache`, whose
 * count so far `answer` is told (the node asked may change once the slots are read again).
 */
function fakeCluster(answer: (commands: string[][], refreshes: number) => ReturnType<Answer>) {
  let refreshes = 0;
  const { writer, sent } = fakeWriter((commands) => answer(commands, refreshes));
  const cluster = {
    ...writer,
    refreshSlotsCache(done: () => void) {
      refreshes += 1;
      done();
    },
  };
  return { cluster, sent, refreshes: () => refreshes };
}

/** A node with `replicas` replicas that acknowledge every write: each script answers its key. */
function acknowledging(replicas: number): Answer {
  return (commands) =>
    commands.map(([name, , , key]) => {
      if (name === 'WAIT') return [null, replicas];
      if (name === 'ROLE') return [null, ['master', 1, Array.from({ length: replicas }, () => [])]];
      return [null, `done ${key}`];
    });
}

const writes = (replicas = 1, options: { deadlineMs?: number; clustered?: boolean } = {}) =>
  new AcknowledgedWrites({
    replicas,
    timeoutMs: 200,
    deadlineMs: options.deadlineMs ?? 5000,
    slotMigrationWaitMs: 1000,
    clustered: options.clustered ?? false,
    scripts: { script: { lua: 'return 1', numberOfKeys: 1 } },
  });

describe('AcknowledgedWrites', () => {
  it('sends the writes of one turn in one pipeline, behind one WAIT, and answers each its own reply', async () => {
    const { writer, sent } = fakeWriter(acknowledging(1));
    const acks = writes();
    const replies = await Promise.all(
      ['a', 'b', 'c'].map((key) => acks.write(writer, 'script', [key])),
    );
    expect(replies).to.deep.equal(['done a', 'done b', 'done c']);
    expect(sent).to.have.length(1);
    // EVAL, never EVALSHA: ioredis would send a NOSCRIPT script again after the WAIT.
    expect(sent[0]?.map(([name]) => name)).to.deep.equal(['EVAL', 'EVAL', 'EVAL', 'WAIT', 'ROLE']);
  });

  it('refuses a script it was not given, before anything is sent', async () => {
    const { writer, sent } = fakeWriter(acknowledging(1));
    const error = await rejection(writes().write(writer, 'unknown', ['a']));
    expect(error).to.be.instanceOf(TypeError);
    expect(sent).to.be.empty;
  });

  it('puts at most 64 writes behind one WAIT', async () => {
    const { writer, sent } = fakeWriter(acknowledging(1));
    const acks = writes();
    await Promise.all(
      Array.from({ length: 100 }, (_, i) => acks.write(writer, 'script', [`k${i}`])),
    );
    expect(sent.map((commands) => commands.length - 2)).to.deep.equal([64, 36]);
  });

  it('too few acknowledgements: every write of the batch is a 503; the next is refused before it is sent while the master still has too few', async () => {
    const { writer, sent } = fakeWriter(acknowledging(0));
    const acks = writes(1);
    const failed = await Promise.all(
      ['a', 'b'].map((key) => rejection(acks.write(writer, 'script', [key]))),
    );
    for (const error of failed) expect(error).to.be.instanceOf(StoreUnavailableError);
    expect(await rejection(acks.write(writer, 'script', ['c']))).to.be.instanceOf(
      StoreUnavailableError,
    );
    const scripts = sent.flat().filter(([name]) => name === 'EVAL');
    expect(scripts, 'c was never sent').to.have.length(2);
  });

  it('a pipeline that failed once sent (a timeout) is a 503 for each write, never sent again: a rotation may have run', async () => {
    const { writer, sent } = fakeWriter(() => new Error('Command timed out'));
    const acks = writes();
    const failed = await Promise.all(
      ['a', 'b'].map((key) => rejection(acks.write(writer, 'script', [key]))),
    );
    for (const error of failed) expect(error).to.be.instanceOf(StoreUnavailableError);
    expect(sent).to.have.length(1);
  });

  it("on a Cluster, a write whose node's connection closed (ioredis' Cluster pipeline, told to follow nothing, answers each command so) is sent again once it is open; on one Redis, a 503 (the client sends it again itself)", async () => {
    for (const clustered of [true, false]) {
      let pipelines = 0;
      const answer: Answer = (commands) =>
        (pipelines += 1) === 1
          ? commands.map(() => [new Error('Connection is closed.'), null])
          : acknowledging(1)(commands);
      const { writer, sent } = fakeWriter(answer);
      const outcome = await writes(1, { clustered })
        .write(writer, 'script', ['a'])
        .catch((error: unknown) => error);
      if (clustered) {
        expect(outcome).to.equal('done a');
        expect(sent).to.have.length(2);
      } else {
        expect(outcome).to.be.instanceOf(StoreUnavailableError);
        expect(sent).to.have.length(1);
      }
    }
  });

  it('a write sent again is bounded by the deadline while its new arguments are made (a rotation reads the server time on a client that may hang)', async () => {
    const { writer } = fakeWriter((commands) =>
      commands.map(() => [new Error('Connection is closed.'), null]),
    );
    const started = performance.now();
    const outcome = await writes(1, { clustered: true, deadlineMs: 100 })
      .write(writer, 'script', ['a'], () => new Promise(() => undefined))
      .catch((error: unknown) => error);
    expect(outcome).to.be.instanceOf(StoreUnavailableError);
    expect(performance.now() - started).to.be.below(2000);
  });

  it('an ASK naming a node by the address the cluster gives it finds the node the client reached through natMap', async () => {
    const importing = fakeWriter(acknowledging(1));
    const node = {
      ...importing.writer,
      status: 'ready',
      options: { host: 'localhost', port: 7001 },
    };
    const source = fakeWriter((commands) =>
      commands.map(([name]): [Error | null, unknown] => {
        if (name === 'EVAL') return [new Error('ASK 1234 127.0.0.1:7001'), null];
        return name === 'WAIT' ? [null, 1] : [null, ['master', 1, [[]]]];
      }),
    );
    const cluster = {
      ...source.writer,
      nodes: () => [node],
      natMapper: (address: string) =>
        address === '127.0.0.1:7001' ? { host: 'localhost', port: 7001 } : { host: '?', port: 0 },
    };
    expect(await writes(1, { clustered: true }).write(cluster, 'script', ['a'])).to.equal('done a');
    expect(source.sent, 'sent once to the migrating node').to.have.length(1);
    expect(importing.sent.flat().map(([name]) => name)).to.deep.equal([
      'ASKING',
      'EVAL',
      'WAIT',
      'ROLE',
    ]);
  });

  it('a pipeline ioredis refused to send (its keys on several nodes) is sent again write by write', async () => {
    const refusing: Answer = (commands) =>
      commands.length > 3
        ? new Error('All keys in the pipeline should belong to the same slots allocation group')
        : acknowledging(1)(commands);
    const { writer, sent } = fakeWriter(refusing);
    const acks = writes();
    const replies = await Promise.all(['a', 'b'].map((key) => acks.write(writer, 'script', [key])));
    expect(replies).to.deep.equal(['done a', 'done b']);
    expect(sent.map((commands) => commands.length)).to.deep.equal([4, 3, 3]);
  });

  it('a pipeline that gets no answer (a client with no command timeout) is a 503 for each write at the deadline, not a hang', async () => {
    const { writer } = fakeWriter(() => [[null, 'never']]);
    let sent = 0;
    const silent = {
      pipeline: () => ({
        ...(writer.pipeline() as object),
        exec: () => {
          sent += 1;
          return new Promise(() => {});
        },
      }),
    };
    const acks = writes(1, { deadlineMs: 50 });
    const failed = await Promise.all(
      ['a', 'b'].map((key) => rejection(acks.write(silent, 'script', [key]))),
    );
    for (const error of failed) expect(error).to.be.instanceOf(StoreUnavailableError);
    expect(sent, 'one pipeline, never sent again').to.equal(1);
  });

  it("after a failover the client has not seen, the master check follows MOVED to the new master instead of reading the old one's ROLE (a replica now) and refusing", async () => {
    let failedOver = false;
    const { cluster, sent, refreshes } = fakeCluster((commands, refreshed) => {
      if (!failedOver) return acknowledging(0)(commands);
      if (refreshed > 0) return acknowledging(1)(commands);
      // The old master, now a replica of the promoted one, still asked by the client.
      return commands.map(([name]) =>
        name === 'ROLE'
          ? [null, ['slave', '127.0.0.1', 7001, 'connected', 1]]
          : [new Error('MOVED 15495 127.0.0.1:7001'), null],
      );
    });
    const acks = writes(1, { clustered: true });
    // The master had lost its replica: the write is a 503, and the slot is known short.
    expect(await rejection(acks.write(cluster, 'script', ['a']))).to.be.instanceOf(
      StoreUnavailableError,
    );
    failedOver = true;
    expect(await acks.write(cluster, 'script', ['a'])).to.equal('done a');
    expect(refreshes(), 'the slots read again').to.equal(1);
    expect(sent.flat().filter(([name]) => name === 'EVAL')).to.have.length(2);
  });

  it('a write a replica answered (a master killed and started again, which the client still sends the slot to) is sent again to the master once the slots are read, not a 503', async () => {
    const { cluster, sent, refreshes } = fakeCluster((commands, refreshed) =>
      refreshed > 0
        ? acknowledging(1)(commands)
        : // Its READONLY connection ran a script that wrote nothing; WAIT is refused.
          commands.map(([name]) => {
            if (name === 'WAIT')
              return [new Error('ERR WAIT cannot be used with replica instances'), null];
            if (name === 'ROLE') return [null, ['slave', '127.0.0.1', 7001, 'connected', 1]];
            return [null, 'ran on the replica'];
          }),
    );
    const acks = writes(1, { clustered: true });
    expect(await acks.write(cluster, 'script', ['a'])).to.equal('done a');
    expect(refreshes(), 'the slots read again').to.equal(1);
    expect(sent.flat().filter(([name]) => name === 'EVAL')).to.have.length(2);
    // The replica's ROLE was not recorded as the slot's master's: the next write goes at once.
    await acks.write(cluster, 'script', ['b']);
    expect(
      sent.flat().filter(([name]) => name === 'EXISTS'),
      'no master check',
    ).to.be.empty;
  });

  it("a write a replica's READONLY connection refused (the same demoted node) is followed to the master too", async () => {
    const onReplica: Answer = (commands) =>
      commands.map(([name]) => {
        if (name === 'EVAL') {
          return [new Error("READONLY You can't write against a read only replica."), null];
        }
        if (name === 'WAIT') {
          return [new Error('ERR WAIT cannot be used with replica instances'), null];
        }
        return [null, ['slave', '127.0.0.1', 7001, 'connected', 1]];
      });
    const { cluster } = fakeCluster((commands, refreshed) =>
      refreshed > 0 ? acknowledging(1)(commands) : onReplica(commands),
    );
    expect(await writes(1, { clustered: true }).write(cluster, 'script', ['a'])).to.equal('done a');
    // On a single Redis (Sentinel: a client not yet moved to the promoted master), a 503.
    const single = writes(1).write(fakeWriter(onReplica).writer, 'script', ['a']);
    expect(await rejection(single)).to.be.instanceOf(StoreUnavailableError);
  });

  it("a master check a replica answered reads the slots again and asks the master, instead of counting the replica's ROLE", async () => {
    let short = true;
    const { cluster, refreshes } = fakeCluster((commands, refreshed) => {
      if (short) return acknowledging(0)(commands);
      if (refreshed > 0) return acknowledging(1)(commands);
      return commands.map(([name]) =>
        name === 'ROLE' ? [null, ['slave', '127.0.0.1', 7001, 'connected', 1]] : [null, 0],
      );
    });
    const acks = writes(1, { clustered: true });
    await rejection(acks.write(cluster, 'script', ['a']));
    short = false;
    expect(await acks.write(cluster, 'script', ['a'])).to.equal('done a');
    expect(refreshes()).to.equal(1);
  });

  it('a master check answered MOVED twice is a 503 with nothing written', async () => {
    let short = true;
    const answer: Answer = (commands) =>
      short
        ? acknowledging(0)(commands)
        : commands.map(([name]) =>
            name === 'ROLE' ? [null, ['slave']] : [new Error('MOVED 1 127.0.0.1:7001'), null],
          );
    const { writer, sent } = fakeWriter(answer);
    const cluster = { ...writer, refreshSlotsCache: (done: () => void) => done() };
    const acks = writes(1, { clustered: true });
    await rejection(acks.write(cluster, 'script', ['a']));
    short = false;
    expect(await rejection(acks.write(cluster, 'script', ['a']))).to.be.instanceOf(
      StoreUnavailableError,
    );
    expect(
      sent.flat().filter(([name]) => name === 'EVAL'),
      'only the first',
    ).to.have.length(1);
  });

  it('a write told ASK goes to the importing node once its connection is open (ioredis opens a node on its first command, and without an offline queue refuses that command)', async () => {
    const source = fakeWriter((commands) =>
      commands.map(([name]): [Error | null, unknown] => {
        if (name === 'EVAL') return [new Error('ASK 3300 127.0.0.1:7001'), null];
        return name === 'WAIT' ? [null, 1] : [null, ['master', 1, [[]]]];
      }),
    );
    const target = fakeWriter(acknowledging(1));
    let status = 'wait';
    const listeners: (() => void)[] = [];
    const importing = {
      options: { host: '127.0.0.1', port: 7001 },
      get status() {
        return status;
      },
      connect: () => {
        status = 'ready';
        for (const listener of listeners.splice(0)) listener();
        return Promise.resolve();
      },
      once: (_event: string, listener: () => void) => listeners.push(listener),
      pipeline: () => {
        if (status !== 'ready') throw new Error("Stream isn't writeable");
        return target.writer.pipeline();
      },
    };
    const cluster = { ...source.writer, nodes: () => [importing] };
    expect(await writes(1, { clustered: true }).write(cluster, 'script', ['a'])).to.equal('done a');
    expect(target.sent.flat().map(([name]) => name)).to.deep.equal([
      'ASKING',
      'EVAL',
      'WAIT',
      'ROLE',
    ]);
  });

  it('a reply of the wrong shape is a 503, not a write answered as done', async () => {
    const { writer } = fakeWriter(() => [[null, 'done a']]);
    expect(await rejection(writes().write(writer, 'script', ['a']))).to.be.instanceOf(
      StoreUnavailableError,
    );
  });
});
