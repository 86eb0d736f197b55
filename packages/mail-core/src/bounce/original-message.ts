import { type HeaderMap, headerValue, headerValues } from '../header-map.js';
import { parseMessageIdList, stripMessageId } from '../message-id.js';
import { type MimePart, parseHeaderSection } from './mime-part.js';

export type OriginalIds = { messageId: string | null; references: string[] };

const HEADERS_TYPES = new Set(['text/rfc822-headers', 'message/rfc822-headers', 'text/rfc822-header']);
const ENCLOSED_TYPES = new Set(['message/rfc822', 'message/global', 'message/partial']);
// A Message-ID line quoted in a text body ("> Message-Id: <…>" too), as MTAs that paste the original write.
const QUOTED_MESSAGE_ID = /^[ \t>|]*Message-I[Dd]\s*:\s*\r?\n?[ \t]*<?([^\s<>]+@[^\s<>]+?)>?[ \t]*$/im;
const QUOTED_REFERENCES = /^[ \t>|]*(?:References|In-Reply-To)\s*:((?:.*)(?:\r?\n[ \t]+.*)*)/gim;

/**
 * The ids of the returned original: from an attached message (message/rfc822), else its headers
 * (text/rfc822-headers), else the header lines quoted in the text of the report.
 * `reportParts` are the parts of the report itself, not those inside an attached message.
 */
export function originalIds(reportParts: readonly MimePart[], quotedText: string): OriginalIds {
  for (const part of reportParts) {
    const enclosed = ENCLOSED_TYPES.has(part.mediaType) ? part.children[0] : undefined;
    const headers =
      enclosed !== undefined
        ? enclosed.headers
        : HEADERS_TYPES.has(part.mediaType)
          ? parseHeaderSection(part.body.toString('latin1'))
          : null;
    if (headers !== null && headers.size > 0) {
      const ids = idsOfHeaders(headers);
      if (ids.messageId !== null || ids.references.length > 0) {
        return ids;
      }
    }
  }
  return idsOfText(quotedText);
}

function idsOfHeaders(headers: HeaderMap): OriginalIds {
  const id = headerValue(headers, 'Message-ID');
  const stripped = id === null ? '' : stripMessageId(id);
  const references = [...headerValues(headers, 'References'), ...headerValues(headers, 'In-Reply-To')];
  return {
    messageId: stripped === '' ? null : stripped,
    references: [...new Set(references.flatMap(parseMessageIdList))],
  };
}

function idsOfText(text: string): OriginalIds {
  const id = QUOTED_MESSAGE_ID.exec(text)?.[1] ?? null;
  const references = [...text.matchAll(QUOTED_REFERENCES)].flatMap((m) => parseMessageIdList(m[1] ?? ''));
  return { messageId: id, references: [...new Set(references)] };
}
