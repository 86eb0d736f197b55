import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { contentFingerprint } from './content-fingerprint.js';
import { htmlPlainText } from './html-plain-text.js';

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

  it.each<[string, string[], string[], boolean]>([
    ['different photos under the same two words', ['a1'], ['b2'], false],
    ['a photo added', [], ['b2'], false],
    ['the same files in another order', ['a1', 'b2'], ['b2', 'a1'], true],
    ['the same logo each round', ['logo'], ['logo'], true],
  ])('with attachments: %s', (_label, first, second, same) => {
    const of = (digests: string[]) =>
      contentFingerprint('Re: Order SO042', 'Sent from my phone', undefined, digests);
    expect(of(first) === of(second)).toBe(same);
  });

  it('is the fingerprint of old for mail without attachments (mail stored before still compares)', () => {
    const before = createHash('sha256')
      .update('your quote\ni am a robot. i received your message.')
      .digest('hex');
    expect(
      contentFingerprint('Re: Your quote', 'I am a robot. I received your message.', undefined, []),
    ).toBe(before);
  });

  // HTML-only mail whose text mailparser left empty: the HTML's words count, not the subject alone.
  const htmlOnly = (html: string) => contentFingerprint('Re: Your quote', '', html);
  it.each<[string, string, string, boolean]>([
    [
      'two different answers on one topic',
      '<div dir="ltr">Yes, send 12 chairs.</div>',
      '<div dir="ltr">No, only 10 chairs.</div>',
      false,
    ],
    [
      'the same answer, other markup',
      '<p>Yes,&nbsp;send <b>12</b> chairs.</p>',
      '<div>Yes, send 12 chairs.</div>',
      true,
    ],
    [
      'the same answer around a growing quoted original',
      '<p>Got it</p><blockquote>first</blockquote>',
      '<p>Got it</p><blockquote>second<blockquote>first</blockquote></blockquote>',
      true,
    ],
    [
      'styles and comments that differ',
      '<style>p{margin:0}</style><!-- a -->Thanks',
      '<style>p{color:red}</style><!-- b -->Thanks',
      true,
    ],
  ])('HTML only: %s → same = %s', (_label, a, b, same) => {
    expect(htmlOnly(a) === htmlOnly(b)).toBe(same);
  });
  it('uses the text part when there is one, whatever the HTML says', () => {
    expect(contentFingerprint('Your quote', 'I am a robot. I received your message.', '<p>other</p>')).toBe(
      base,
    );
  });
  it('is not the subject-only fingerprint for HTML-only mail', () => {
    expect(htmlOnly('<p>Yes</p>')).not.toBe(contentFingerprint('Re: Your quote', ''));
  });
});

describe('htmlPlainText', () => {
  it.each([
    ['<p>a</p><p>b</p>', 'a b'],
    ['<head><title>t</title></head><body>x &amp; y &lt;z&gt; &#233;&#x263A;</body>', 'x & y <z> é☺'],
    ['<script>var a = "<p>";</script>kept', 'kept'],
    ['no tags at all', 'no tags at all'],
    ['&unknown; stays', '&unknown; stays'],
  ])('%s → %s', (html, text) => {
    expect(htmlPlainText(html)).toBe(text);
  });
});
