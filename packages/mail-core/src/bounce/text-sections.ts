/**
 * Where the returned original starts in the text of a non-standard bounce: the lines MTAs write
 * before they paste the original message or its headers. The text before is the error report.
 */
const ORIGINAL_MARKERS: readonly RegExp[] = [
  /^[\s-]*(?:this is a )?copy of (?:the|your) (?:original )?message/i,
  /^[\s-]*(?:the )?original message (?:follows|headers|is attached)/i,
  /^[\s-]*(?:unsent|returned|undelivered|original) message(?: headers)?(?: follows)?[\s-]*:?$/i,
  /^[\s-]*below this line is a copy of the message/i,
  /^[\s-]*(?:original|returned) (?:message|mail|headers)[\s-]*:?\s*$/i,
  /^[\s-]*message headers? follows?/i,
  /^[\s-]*(?:the )?(?:headers|header section) of the original/i,
  /^[\s-]*a copy of the (?:original )?message (?:below|follows)/i,
  /^[\s-]*original message header/i,
  /^[\s-]*content-type: message\/rfc822/i,
  /^-{2,} ?(?:original|forwarded) message ?-{2,}/i,
  /^\s*-+ ?(?:the )?(?:original|returned) (?:message|mail|headers?)/i,
  /^\s*(?:return-path|received|dkim-signature|x-original-to|delivered-to):\s/i,
];

/** The text before the pasted original (all of it when no marker is found). */
export function errorSection(text: string): string {
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] ?? '';
    if (ORIGINAL_MARKERS.some((marker) => marker.test(line))) {
      return lines.slice(0, i).join('\n');
    }
  }
  return lines.join('\n');
}

/** The text after the first marker of the pasted original, or ''. */
export function quotedOriginal(text: string): string {
  const error = errorSection(text);
  return text.length > error.length ? text.slice(error.length) : '';
}
