import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readBounce } from '../src/bounce/read-bounce.js';
import {
  type ExpectedEntry,
  emptyTally,
  FIELDS,
  type Field,
  NOT_BOUNCE_KINDS,
  rate,
  score,
} from './bounce-corpus-score.js';

// The shared corpus of real bounces (Sisimai's test mails, see its README) lives next to the
// repository on the project's machines and in CI; it is read in place, never copied.
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const corpus = `${repoRoot}../shared/corpus/bounces`;
const present = existsSync(`${corpus}/expected.json`);

// The agreement reached with Sisimai's reading of the corpus, rounded down to the percent. Raise them
// when the reader improves; never lower them.
const FLOORS: Record<Field, number> = {
  kind: 0.99,
  recipient: 0.97,
  hard: 0.95,
  reason: 0.83,
  status: 0.88,
  originalMessageId: 0.95,
};

function expectedEntries(): ExpectedEntry[] {
  return JSON.parse(readFileSync(`${corpus}/expected.json`, 'utf8')) as ExpectedEntry[];
}

function passedOver(): boolean {
  if (present) {
    return false;
  }
  process.stdout.write(`bounce corpus absent at ${corpus}: corpus test passed over\n`);
  return true;
}

describe('readBounce over the shared bounce corpus', () => {
  it('agrees with the expected readings at least as often as the floors say', { timeout: 60_000 }, () => {
    if (passedOver()) {
      return;
    }
    const entries = expectedEntries();
    expect(entries.length).toBeGreaterThan(300);
    const tally = emptyTally();
    for (const entry of entries) {
      score(tally, entry, readBounce(readFileSync(`${corpus}/${entry.file}`)));
    }
    const table = FIELDS.map((field) => {
      const { agree, total } = tally[field];
      return `${field.padEnd(18)} ${(rate(tally, field) * 100).toFixed(1).padStart(5)}%  ${agree}/${total}`;
    });
    process.stdout.write(`bounce corpus agreement (${entries.length} mails)\n${table.join('\n')}\n`);
    for (const field of FIELDS) {
      expect(rate(tally, field), `${field} agreement`).toBeGreaterThanOrEqual(FLOORS[field]);
    }
  });

  it('reads none of the mails that are not bounces (vacation replies, a delivery-success DSN, a plain mail) as one', () => {
    if (passedOver()) {
      return;
    }
    const notBounces = expectedEntries().filter((entry) => NOT_BOUNCE_KINDS.has(entry.kind));
    expect(notBounces.length).toBeGreaterThan(0);
    const readAsBounces = notBounces
      .filter((entry) => readBounce(readFileSync(`${corpus}/${entry.file}`)) !== null)
      .map((entry) => entry.file);
    expect(readAsBounces).toEqual([]);
  });

  it('never throws, whatever a corpus mail is cut down to', () => {
    if (passedOver()) {
      return;
    }
    // Truncated mails (a report cut off mid-part, mid-header or mid-base64) must still give a result.
    for (const entry of expectedEntries().slice(0, 60)) {
      const raw = readFileSync(`${corpus}/${entry.file}`);
      for (const fraction of [0.1, 0.5, 0.9]) {
        expect(() => readBounce(raw.subarray(0, Math.floor(raw.length * fraction)))).not.toThrow();
      }
    }
  });
});
