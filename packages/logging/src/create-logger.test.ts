import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './create-logger.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { lines, stream };
}

describe('createLogger', () => {
  it('writes JSON with the service, version and a textual level', () => {
    const { lines, stream } = capture();
    createLogger({ service: 'router', version: '1.2.3', destination: stream }).info(
      { jobId: '7' },
      'job.done',
    );
    expect(lines[0]).toMatchObject({
      service: 'router',
      version: '1.2.3',
      level: 'info',
      jobId: '7',
      msg: 'job.done',
    });
  });

  it.each([
    [{ password: 'hunter2' }],
    [{ server: { password: 'hunter2' } }],
    [{ auth: { accessToken: 'hunter2' } }],
    [{ req: { headers: { authorization: 'Bearer hunter2' } } }],
  ])('redacts secrets in %j', (fields) => {
    const { lines, stream } = capture();
    createLogger({ service: 'x', destination: stream }).info(fields, 'event');
    expect(JSON.stringify(lines[0])).not.toContain('hunter2');
    expect(JSON.stringify(lines[0])).toContain('[redacted]');
  });

  it('keeps a failed query but not its parameters (message bodies) in logged errors', () => {
    const { lines, stream } = capture();
    const err = new Error(
      'Failed query: insert into "messages" ("body_html") values ($1)\nparams: <p>private body</p>',
    );
    createLogger({ service: 'x', destination: stream }).error({ err }, 'request.failed');
    const logged = JSON.stringify(lines[0]);
    expect(logged).toContain('Failed query: insert into');
    expect(logged).not.toContain('private body');
    expect(logged).toContain('params: [redacted]');
  });
});
