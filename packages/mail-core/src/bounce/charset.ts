// Names that mail writes but the WHATWG encoding registry (TextDecoder) does not know, or knows under
// another name. Everything else is handed to TextDecoder as written.
const ALIASES: Record<string, string> = {
  'x-sjis': 'shift_jis',
  sjis: 'shift_jis',
  'shift-jis': 'shift_jis',
  'x-euc-jp': 'euc-jp',
  'ks_c_5601-1987': 'euc-kr',
  'x-unknown': 'utf-8',
  unknown: 'utf-8',
  'unknown-8bit': 'utf-8',
  '8bit': 'utf-8',
  cp1252: 'windows-1252',
  latin1: 'iso-8859-1',
  ansi_x3_4_1968: 'us-ascii',
  ascii: 'us-ascii',
};

/**
 * Bytes to text in the charset a mail declares. An unknown or absent charset, or bytes that are not
 * valid in it, fall back to UTF-8 when the bytes are valid UTF-8, else to Latin-1, which never fails:
 * a bounce with a wrong label must still be readable.
 */
export function decodeCharset(bytes: Uint8Array, charset: string | null | undefined): string {
  const label = (charset ?? '').trim().toLowerCase().replace(/^"|"$/g, '');
  const name = ALIASES[label] ?? label;
  if (name !== '' && name !== 'us-ascii' && name !== 'utf-8' && name !== 'utf8') {
    const declared = tryDecode(bytes, name);
    if (declared !== null) {
      return declared;
    }
  }
  return tryDecode(bytes, 'utf-8') ?? Buffer.from(bytes).toString('latin1');
}

function tryDecode(bytes: Uint8Array, label: string): string | null {
  try {
    return new TextDecoder(label, { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}
