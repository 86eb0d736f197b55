import type { NewAttachment } from './post-message.js';

/** The files of one or more messages as a statement's columns: see attachmentColumns. */
export type AttachmentColumns = {
  /** Which message each file belongs to (the caller's numbering, e.g. a batch's `ord`). */
  fileOwners: number[];
  fileNames: string[];
  fileTypes: string[];
  fileSizes: number[];
  fileSha256s: string[];
  /** Where each file starts in `fileBlob`, counted from 1 as PostgreSQL's substring counts. */
  fileStarts: number[];
  fileBlob: Buffer;
};

/**
 * Lays out files as parallel arrays plus one buffer holding every file's bytes, for a statement that
 * inserts them with `substring(blob from start for size)`. A buffer parameter travels in binary;
 * a bytea[] array parameter would go as hex text, twice the bytes, and be decoded again by the server.
 */
export function attachmentColumns(
  messages: readonly { owner: number; files: readonly NewAttachment[] }[],
): AttachmentColumns {
  const columns: Omit<AttachmentColumns, 'fileBlob'> = {
    fileOwners: [],
    fileNames: [],
    fileTypes: [],
    fileSizes: [],
    fileSha256s: [],
    fileStarts: [],
  };
  const contents: Buffer[] = [];
  let next = 1;
  for (const { owner, files } of messages) {
    for (const file of files) {
      columns.fileOwners.push(owner);
      columns.fileNames.push(file.filename);
      columns.fileTypes.push(file.contentType);
      columns.fileSizes.push(file.content.length);
      columns.fileSha256s.push(file.sha256);
      columns.fileStarts.push(next);
      contents.push(file.content);
      next += file.content.length;
    }
  }
  // A lone file is sent as it is: concatenating would copy it (a 25 MB attachment, once more).
  const [only] = contents;
  return { ...columns, fileBlob: contents.length === 1 && only ? only : Buffer.concat(contents) };
}
