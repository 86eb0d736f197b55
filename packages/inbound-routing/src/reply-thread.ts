// Which thread a mail answers, when several clues say so. Pure: the clues are looked up beforehand.
//
// Trust order, strongest first:
// 1. In-Reply-To/References naming a Message-ID we sent or stored in this database: the standard,
//    and our Message-IDs are unguessable, so only someone who saw the mail can name one.
// 2. A thread token in a recipient address (our signed Reply-To, `catchall+<token>@…`): HMAC-signed
//    with our key and checked against this database's threads, so it cannot be made up or carried
//    over from another database. It survives providers that rewrite Message-IDs (the reply goes to
//    the address we gave). A token that fails the signature check is ignored, and said so.
// 3. The X-SotaMail-Thread header (`model/record id`), in the mail or in its attached or quoted
//    original: anyone can write it and record ids are guessable (`sale.order/42`), so it is believed
//    only when the sender already follows that thread — exactly the people we sent it to. From anyone
//    else it is ignored and the mail goes through the alias and catchall rules (and their contact
//    policies) like any other mail, so a header cannot get a stranger into a thread.

export type ThreadRef = { id: string; model: string };
export type ReplyVia = 'references' | 'reply-token' | 'thread-header';

export type ReplyClues = {
  byReferences: ThreadRef | null;
  /**
   * A token in the recipients. `checked` false when no key is at hand to check it (a preview without
   * the secret key); `valid` false when its signature failed.
   */
  token: { present: boolean; checked: boolean; valid: boolean; thread: ThreadRef | null };
  /** The first X-SotaMail-Thread value that names a thread of this database, if any. */
  header: { value: string | null; thread: ThreadRef | null; senderFollows: boolean };
};

export type ReplyThread = { thread: (ThreadRef & { via: ReplyVia }) | null; notes: string[] };

export function chooseReplyThread(c: ReplyClues): ReplyThread {
  // The strongest clue decides, and the weaker ones were not even looked up: nothing to say of them.
  if (c.byReferences) {
    return { thread: { ...c.byReferences, via: 'references' }, notes: [] };
  }
  const notes: string[] = [];
  if (c.token.present && !c.token.checked) {
    notes.push(
      'a thread token in a recipient address could not be checked (no secret key here) and was ignored',
    );
  } else if (c.token.present && !c.token.valid) {
    notes.push('a thread token in a recipient address failed its signature check and was ignored');
  } else if (c.token.present && !c.token.thread) {
    notes.push('the thread token in a recipient address names no thread of this database: ignored');
  }
  if (c.header.value !== null && !c.header.thread) {
    notes.push(`the X-SotaMail-Thread header "${c.header.value}" names no thread of this database: ignored`);
  } else if (c.header.thread && !c.header.senderFollows) {
    notes.push(
      `the X-SotaMail-Thread header "${c.header.value}" is not trusted: the sender does not follow that thread`,
    );
  }
  if (c.token.valid && c.token.thread) {
    return { thread: { ...c.token.thread, via: 'reply-token' }, notes };
  }
  if (c.header.thread && c.header.senderFollows) {
    return { thread: { ...c.header.thread, via: 'thread-header' }, notes };
  }
  return { thread: null, notes };
}
