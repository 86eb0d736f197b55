// The words of an HTML body, for comparing mails (R9.2), not for showing them: mailparser leaves the
// text empty when its own conversion gives up (deep nesting, very long HTML), and a fingerprint of the
// subject alone would make every such mail "identical" to the sender's previous one.

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code =
        name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return entities[name.toLowerCase()] ?? whole;
  });
}

/** Removes quoted originals, innermost first, so nested quotes go too (like `>` lines in text). */
function withoutBlockquotes(html: string): string {
  const innermost = /<blockquote\b[^>]*>(?:(?!<blockquote\b)[\s\S])*?<\/blockquote\s*>/gi;
  let previous = '';
  let current = html;
  while (current !== previous) {
    previous = current;
    current = current.replace(innermost, ' ');
  }
  return current;
}

export function htmlPlainText(html: string): string {
  const visible = withoutBlockquotes(
    html.replace(/<!--[\s\S]*?-->/g, ' ').replace(/<(style|script|head)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' '),
  );
  return decodeEntities(visible.replace(/<[^>]*>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
}
