import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from './database-unavailable.js';

const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });
const wrapped = (cause: Error) => Object.assign(new Error('Failed query: insert …'), { cause });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['statement timeout', pgError('57014', 'canceling statement due to statement timeout'), true],
    ['statement timeout, wrapped by Drizzle', wrapped(pgError('57014')), true],
    ['server shutting down', pgError('57P01'), true],
    ['server starting', pgError('57P03'), true],
    ['too many connections', pgError('53300'), true],
    ['disk full', pgError('53100'), true],
    ['connection failure (class 08)', pgError('08006'), true],
    ['connection refused', pgError('ECONNREFUSED'), true],
    ['connection reset', wrapped(pgError('ECONNRESET')), true],
    ['connection lost, no code', new Error('Connection terminated unexpectedly'), true],
    ['pool could not connect, no code', new Error('timeout exceeded when trying to connect'), true],
    [
      'connection lost, no code, wrapped by Drizzle',
      wrapped(new Error('Connection terminated unexpectedly')),
      true,
    ],
    [
      'pool could not connect, wrapped by Drizzle',
      wrapped(new Error('timeout exceeded when trying to connect')),
      true,
    ],
    ['DNS not answering', wrapped(pgError('EAI_AGAIN')), true],
    ['unique violation', pgError('23505'), false],
    ['value too long', wrapped(pgError('22001')), false],
    ['message over 1 GB', pgError('54000'), false],
    ['syntax error', pgError('42601'), false],
    ['a plain error', new Error('the group store returned no row'), false],
    ['a plain error, wrapped by Drizzle', wrapped(new Error('invalid input syntax')), false],
    ['not an error at all', undefined, false],
  ])('%s → %s', (_name, err, expected) => {
    expect(isDatabaseUnavailable(err)).toBe(expected);
  });
});
