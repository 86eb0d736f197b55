import { describe, expect, it } from 'vitest';
import { contentFingerprint } from './content-fingerprint.js';

describe('contentFingerprint (R9.2)', () => {
  const base = contentFingerprint('Your quote', 'I am a robot. I received your message.');
  it.each([
    ['a reply prefix', 'Re: Your quote', 'I am a robot. I received your message.'],
    [
      'stacked prefixes in other languages',
      'AW: RE: Fwd: Your quote',
      'I am a robot. I received your message.',
    ],
    [
      'a growing quote',
      'Re: Re: Your quote',
      'I am a robot. I received your message.\n> earlier\n>> even earlier',
    ],
    ['other whitespace and case', 'your   QUOTE', 'I am a robot.\n\nI received   your message.'],
  ])('is the same despite %s', (_label, subject, text) => {
    expect(contentFingerprint(subject, text)).toBe(base);
  });
  it.each([
    ['another subject', 'Your invoice', 'I am a robot. I received your message.'],
    ['another body', 'Your quote', 'Thanks, I accept.'],
  ])('differs with %s', (_label, subject, text) => {
    expect(contentFingerprint(subject, text)).not.toBe(base);
  });
});
