/**
 * The content of one SMTP transaction, kept only while it stays within the size limit. smtp-server
 * goes on passing the data of an oversized mail (it answers 552 only at its end, as RFC 5321 wants),
 * so a sender that announced no SIZE, or a false one, could otherwise make us hold gigabytes.
 */
export class BoundedContent {
  private chunks: Buffer[] = [];
  private received = 0;

  constructor(private readonly maxBytes: number) {}

  add(chunk: Buffer): void {
    this.received += chunk.length;
    if (this.received > this.maxBytes) {
      // What was kept is of no use once the mail is refused: let it go now, not at the end.
      this.chunks = [];
      return;
    }
    this.chunks.push(chunk);
  }

  get exceeded(): boolean {
    return this.received > this.maxBytes;
  }

  /** Every byte of the content; null once it went over the limit. */
  content(): Buffer | null {
    return this.exceeded ? null : Buffer.concat(this.chunks, this.received);
  }

  /** The bytes held now (all of them within the limit, none past it). */
  get heldBytes(): number {
    return this.chunks.reduce((n, c) => n + c.length, 0);
  }
}
