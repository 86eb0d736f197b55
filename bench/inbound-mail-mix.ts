// The inbound benchmark's mail: a seeded, realistic mix written here (no corpus, no public collection).
// Replies into seeded threads, new mail to aliases, catchall mail, auto-replies, delivery reports, in
// several languages, charsets and transfer encodings, some with attachments; each mail knows the
// routing decision it must get, so the benchmark also checks that the work was really done.
import {
  type Charset,
  encodedWords,
  type MimePart,
  type Random,
  type TransferEncoding,
  writeMessage,
} from './inbound-mime.js';

export type Person = { name: string; email: string };
export type WorldThread = {
  model: string;
  recordId: string;
  subject: string;
  /** The Message-ID (without brackets) of the notification the setup stores in this thread. */
  seedMessageId: string;
  /** Indexes into the database's contacts; contact 0 is the ERP user who wrote the seed message. */
  followers: number[];
};
export type WorldDatabase = { domain: string; contacts: Person[]; threads: WorldThread[] };
export type BenchAlias = { name: string; model: string; contactPolicy: 'everyone' | 'contacts' };

export const benchAliases: BenchAlias[] = [
  { name: 'sales', model: 'crm.lead', contactPolicy: 'everyone' },
  { name: 'jobs', model: 'hr.applicant', contactPolicy: 'everyone' },
  { name: 'support', model: 'helpdesk.ticket', contactPolicy: 'contacts' },
];

export type MailKind =
  | 'reply'
  | 'reply-rewritten-id'
  | 'auto-reply'
  | 'alias-new'
  | 'alias-known-contact'
  | 'alias-unknown-refused'
  | 'forward-to-alias'
  | 'catchall-not-reply'
  | 'bounce'
  | 'unknown-local-part';
export type ExpectedAction = 'reply' | 'new-record' | 'refused' | 'bounce' | 'unroutable';

export type BenchMail = {
  raw: Buffer;
  /** Without brackets, as the router records it in its decision. */
  messageId: string;
  envelopeFrom: string;
  envelopeTo: string;
  kind: MailKind;
  expected: ExpectedAction;
  domain: string;
};

// Shares of the mix, in per mille; most inbound mail of an ERP is replies to its notifications.
const MIX: [MailKind, number, ExpectedAction][] = [
  ['reply', 520, 'reply'],
  ['reply-rewritten-id', 60, 'reply'],
  ['auto-reply', 50, 'reply'],
  ['alias-new', 200, 'new-record'],
  ['alias-known-contact', 40, 'new-record'],
  ['alias-unknown-refused', 10, 'refused'],
  ['forward-to-alias', 20, 'new-record'],
  ['catchall-not-reply', 70, 'refused'],
  ['bounce', 20, 'bounce'],
  ['unknown-local-part', 10, 'unroutable'],
];

type Language = {
  charsets: [Charset, TransferEncoding][];
  lines: string[];
  subjects: string[];
  sign: string;
};
const LANGUAGES: Language[] = [
  {
    charsets: [
      ['us-ascii', '7bit'],
      ['utf-8', 'quoted-printable'],
      ['utf-8', '7bit'],
    ],
    lines: [
      'Thanks for the quote, we would like to go ahead.',
      'Could you confirm the delivery date for the second batch?',
      'Please find our purchase order attached.',
      'The invoice total does not match the order, can you check?',
      'We need two more units of the standing desk, same configuration.',
    ],
    subjects: ['Request for quotation', 'Question about my order', 'Partnership proposal', 'Application'],
    sign: 'Best regards,',
  },
  {
    charsets: [
      ['utf-8', 'quoted-printable'],
      ['iso-8859-1', 'quoted-printable'],
      ['windows-1252', '8bit'],
    ],
    lines: [
      'Merci pour le devis, nous souhaitons passer commande.',
      'Pouvez-vous confirmer la livraison à l’entrepôt de Lyon ?',
      'Le montant de la facture diffère de la commande : 1 250,00 €.',
      'Nous avons reçu les chaises, mais deux sont abîmées.',
    ],
    subjects: [
      'Demande de devis',
      'Problème de livraison',
      'Candidature spontanée',
      'Question sur la facture',
    ],
    sign: 'Cordialement,',
  },
  {
    charsets: [
      ['utf-8', 'quoted-printable'],
      ['iso-8859-1', 'quoted-printable'],
      ['utf-8', 'base64'],
    ],
    lines: [
      'Vielen Dank für das Angebot, wir möchten bestellen.',
      'Bitte bestätigen Sie den Liefertermin für die Hauptstraße 12.',
      'Die Größe der Tische passt leider nicht, können wir tauschen?',
      'Anbei die unterschriebene Auftragsbestätigung.',
    ],
    subjects: ['Angebotsanfrage', 'Frage zur Bestellung', 'Bewerbung als Lagerist', 'Rückfrage Rechnung'],
    sign: 'Mit freundlichen Grüßen',
  },
  {
    charsets: [
      ['utf-8', 'quoted-printable'],
      ['iso-8859-1', 'quoted-printable'],
    ],
    lines: [
      'Gracias por la cotización, ¿podrían enviar la factura proforma?',
      'El pedido llegó incompleto: faltan tres cajas.',
      '¿Cuál es el plazo de entrega para Málaga?',
    ],
    subjects: ['Solicitud de presupuesto', 'Pedido incompleto', 'Candidatura'],
    sign: 'Saludos cordiales,',
  },
  {
    charsets: [
      ['koi8-r', 'base64'],
      ['koi8-r', '8bit'],
      ['utf-8', 'base64'],
    ],
    lines: [
      'Здравствуйте! Спасибо за предложение.',
      'Подтвердите, пожалуйста, сроки поставки.',
      'Счёт получили, оплату проведём в пятницу.',
    ],
    subjects: ['Запрос коммерческого предложения', 'Вопрос по заказу', 'Резюме'],
    sign: 'С уважением,',
  },
  {
    charsets: [
      ['shift_jis', 'base64'],
      ['utf-8', 'base64'],
    ],
    lines: [
      'お世話になっております。',
      '見積書を確認いたしました。発注を進めます。',
      '納期についてご確認をお願いいたします。',
    ],
    subjects: ['見積依頼', '注文について', '応募書類'],
    sign: 'よろしくお願いいたします。',
  },
  {
    charsets: [['utf-8', 'quoted-printable']],
    lines: ['Thanks! 👍 Works for us.', 'See you on Monday 🚚📦', 'Great news 🎉 the pallets arrived.'],
    subjects: ['Quick question 🙂', 'Delivery 🚚', 'Hello 👋'],
    sign: 'Cheers,',
  },
];

const FIRST = [
  'Anna',
  'Bruno',
  'Chloé',
  'Dmitri',
  'Eva',
  'Farid',
  'Greta',
  'Hiro',
  'Inès',
  'Jonas',
  'Kai',
  'Lena',
];
const LAST = [
  'Müller',
  'Dupont',
  'García',
  'Ivanova',
  'Tanaka',
  'Smith',
  'Rossi',
  'Nowak',
  'Jensen',
  'Silva',
];
const MAILERS = [
  ['X-Mailer: Microsoft Outlook 16.0', 'Thread-Index: AdpXq1b2c3d4e5f6'],
  ['User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Thunderbird/128.3.0'],
  ['X-Mailer: Apple Mail (2.3774.500.171.1.1)'],
  [],
];

/** The databases, their contacts and threads, derived from the seed alone (ids come from PostgreSQL). */
export function planWorld(
  random: Random,
  /** Names the databases' domains: the warm-up's world is apart from the measured one. */
  name = 'db',
  databases = 2,
  threadsPer = 150,
  contactsPer = 400,
): WorldDatabase[] {
  return Array.from({ length: databases }, (_, d) => {
    const domain = `${name}${d}.inbound-bench.test`;
    const contacts: Person[] = [
      { name: 'ERP Admin', email: `admin@company${d}.test` },
      ...Array.from({ length: contactsPer }, (_, c) => ({
        name: `${random.pick(FIRST)} ${random.pick(LAST)}`,
        email: `c${c}@customer${c % 37}.test`,
      })),
    ];
    const threads = Array.from({ length: threadsPer }, (_, t): WorldThread => {
      const followerCount = 2 + random.int(3);
      const followers = new Set<number>([0]);
      while (followers.size < followerCount + 1) {
        followers.add(1 + random.int(contactsPer));
      }
      const model = random.pick(['sale.order', 'account.move', 'project.task']);
      return {
        model,
        recordId: String(1000 + t),
        subject: `${model === 'sale.order' ? 'Quotation' : model === 'account.move' ? 'Invoice' : 'Task'} S${1000 + t}`,
        seedMessageId: `seed-${d}-${t}.${random.int(1e9).toString(36)}@${domain}`,
        followers: [...followers],
      };
    });
    return { domain, contacts, threads };
  });
}

function kindAt(random: Random): [MailKind, ExpectedAction] {
  let roll = random.int(1000);
  for (const [kind, share, expected] of MIX) {
    if (roll < share) {
      return [kind, expected];
    }
    roll -= share;
  }
  return ['reply', 'reply'];
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
// A plain name is quoted; one with other characters becomes encoded words (which need no quotes).
const address = (p: Person, charset: Charset) =>
  /^[\x20-\x7e]*$/.test(p.name)
    ? `"${p.name}" <${p.email}>`
    : `${encodedWords(p.name, charset === 'us-ascii' ? 'utf-8' : charset, 'Q')} <${p.email}>`;

/** `count` mails, the same ones for the same seed and world. */
export function generateMailMix(random: Random, world: WorldDatabase[], count: number): BenchMail[] {
  const mails: BenchMail[] = [];
  // Each auto-responder answers once and each catchall sender writes different words, so the
  // feedback-loop check (R9.2) has nothing to drop: the expected decisions stay certain.
  const autoReplied = new Set<string>();
  const knownAliasSenders = new Set<string>();
  for (let i = 0; i < count; i++) {
    let [kind, expected] = kindAt(random);
    const db = world[i % world.length] ?? world[0];
    if (!db) {
      throw new Error('the world has no database');
    }
    const thread = random.pick(db.threads);
    const followerIndex = random.pick(thread.followers.slice(1));
    let sender = db.contacts[followerIndex] ?? { name: 'Someone', email: 'someone@x.test' };
    if (kind === 'auto-reply') {
      const fresh = thread.followers.slice(1).find((f) => !autoReplied.has(`${db.domain}:${f}`));
      if (fresh === undefined) {
        [kind, expected] = ['reply', 'reply'];
      } else {
        autoReplied.add(`${db.domain}:${fresh}`);
        sender = db.contacts[fresh] ?? sender;
      }
    }
    if (kind === 'alias-known-contact') {
      // The alias limit (5 records per sender per hour, R9.1) is not what this mix measures.
      const c = 1 + (i % (db.contacts.length - 1));
      sender = db.contacts[c] ?? sender;
      if (knownAliasSenders.has(`${db.domain}:${c}`)) {
        [kind, expected] = ['reply', 'reply'];
        sender = db.contacts[followerIndex] ?? sender;
      }
      knownAliasSenders.add(`${db.domain}:${c}`);
    }
    const language = random.pick(LANGUAGES);
    const [charset, encoding] = random.pick(language.charsets);
    const stranger: Person = {
      name: `${random.pick(FIRST)} ${random.pick(LAST)}`,
      email: `prospect${i}@${random.pick(['gmail.example', 'outlook.example', 'startup.test', 'web.example'])}`,
    };
    const date = new Date(Date.UTC(2026, 2, 2, 8, 0, 0) + i * 7_000).toUTCString().replace('GMT', '+0000');
    const ref = `Ref ${db.domain.slice(0, 3).toUpperCase()}-${100000 + i}, ${1 + random.int(40)} units`;
    const lines = [random.pick(language.lines), random.pick(language.lines), ref];
    const quote = [
      `On ${date}, ${db.contacts[0]?.name} wrote:`,
      `> ${thread.subject}`,
      '> Here is your document. Reply to this email to comment.',
    ];

    let from = sender;
    let to = `catchall@${db.domain}`;
    let subject = `Re: ${thread.subject}`;
    let extra: string[] = [`In-Reply-To: <${thread.seedMessageId}>`, `References: <${thread.seedMessageId}>`];
    let body: string[] = [...lines, '', language.sign, sender.name, '', ...quote];
    let envelopeFrom = sender.email;
    switch (kind) {
      case 'reply':
        subject = `${random.pick(['Re: ', 'RE: ', 'AW: ', 'Ré : ', 'SV: '])}${thread.subject}`;
        break;
      case 'reply-rewritten-id':
        // Some providers rewrite the Message-ID of what they relay: only References still names ours.
        extra = [
          `In-Reply-To: <rewritten-${i}@eur01.prod.outlook.example>`,
          `References: <${thread.seedMessageId}>\r\n <rewritten-${i}@eur01.prod.outlook.example>`,
        ];
        break;
      case 'auto-reply':
        subject = `${random.pick(['Automatic reply: ', 'Out of Office: ', 'Abwesenheitsnotiz: ', 'Réponse automatique : '])}${thread.subject}`;
        extra.push(
          random.pick([
            'Auto-Submitted: auto-replied',
            'Auto-Submitted: auto-replied\r\nX-Auto-Response-Suppress: All',
            'X-Autoreply: yes\r\nPrecedence: auto_reply',
          ]),
        );
        body = [
          `I am out of the office until ${1 + (i % 28)} March with limited access to email.`,
          `Ticket ${i}.`,
        ];
        break;
      case 'alias-new':
      case 'alias-unknown-refused':
        from = stranger;
        envelopeFrom = stranger.email;
        to = kind === 'alias-new' ? `${random.pick(['sales', 'jobs'])}@${db.domain}` : `support@${db.domain}`;
        subject = random.pick(language.subjects);
        extra = [];
        body = [...lines, '', language.sign, stranger.name];
        break;
      case 'alias-known-contact':
        to = `support@${db.domain}`;
        subject = random.pick(language.subjects);
        extra = [];
        body = [...lines, '', language.sign, sender.name];
        break;
      case 'forward-to-alias':
        // A customer forwards a thread's notification to the sales alias: a new lead (R8.2).
        to = `sales@${db.domain}`;
        subject = `Fwd: ${thread.subject}`;
        body = [
          ...lines,
          '',
          '---------- Forwarded message ---------',
          ...quote.slice(1).map((l) => l.slice(2)),
        ];
        break;
      case 'catchall-not-reply':
        from = stranger;
        envelopeFrom = stranger.email;
        subject = random.pick(language.subjects);
        extra = [];
        body = [...lines, '', language.sign, stranger.name];
        break;
      case 'unknown-local-part':
        from = stranger;
        envelopeFrom = stranger.email;
        to = `${random.pick(['info', 'hr', 'accounting'])}@${db.domain}`;
        subject = random.pick(language.subjects);
        extra = [];
        body = [...lines, '', language.sign];
        break;
      case 'bounce':
        mails.push(bounceMail(i, db, sender, thread, date));
        continue;
    }

    const ownId = `${i.toString(36)}.${random.int(1e12).toString(36)}@${from.email.split('@')[1]}`;
    const headers = [
      `Received: from mx${i % 7}.${envelopeFrom.split('@')[1]} (mx${i % 7}.${envelopeFrom.split('@')[1]} [192.0.2.${i % 250}])\r\n\tby mx.${db.domain} with ESMTPS id ${i.toString(16)}; ${date}`,
      `Date: ${date}`,
      // A few clients still write raw UTF-8 in headers (8-bit headers).
      `From: ${i % 97 === 0 ? Buffer.from(`${from.name} <${from.email}>`).toString('latin1') : address(from, charset)}`,
      `To: ${to}`,
      ...(random.int(10) === 0 ? [`Cc: ${random.pick(db.contacts).email}`] : []),
      `Subject: ${encodedWords(subject, charset === 'us-ascii' ? 'utf-8' : charset, random.int(2) === 0 ? 'B' : 'Q')}`,
      `Message-ID: <${ownId}>`,
      ...extra,
      ...random.pick(MAILERS),
    ];
    mails.push({
      raw: writeMessage(headers, content(random, body, charset, encoding, i), `${i}`),
      messageId: ownId,
      envelopeFrom,
      envelopeTo: to,
      kind,
      expected,
      domain: db.domain,
    });
  }
  return mails;
}

/** Text, HTML or both, sometimes with attachments (small ones often, ~200 KB ones rarely). */
function content(
  random: Random,
  lines: string[],
  charset: Charset,
  encoding: TransferEncoding,
  i: number,
): MimePart {
  const text = lines.join('\n');
  const html = `<html><head><meta charset="${charset}"><style>p{margin:0}</style></head><body><div dir="ltr">${lines
    .map((l) =>
      l.startsWith('>')
        ? `<blockquote style="border-left:1px solid #ccc">${escapeHtml(l.slice(1))}</blockquote>`
        : `<p>${escapeHtml(l) || '<br>'}</p>`,
    )
    .join('\n')}</div><table><tr><td style="color:#888">Sent from my desk</td></tr></table></body></html>`;
  const htmlEncoding: TransferEncoding =
    encoding === '7bit' || encoding === '8bit' ? 'quoted-printable' : encoding;
  const shape = random.int(100);
  const textPart: MimePart = { kind: 'text', subtype: 'plain', text, charset, encoding };
  const htmlPart: MimePart = { kind: 'text', subtype: 'html', text: html, charset, encoding: htmlEncoding };
  const body: MimePart =
    shape < 30
      ? textPart
      : shape < 85
        ? { kind: 'multipart', subtype: 'alternative', parts: [textPart, htmlPart] }
        : htmlPart;
  const roll = random.int(1000);
  if (roll >= 170) {
    return body;
  }
  const attachments: MimePart[] =
    roll < 20
      ? [
          {
            kind: 'attachment',
            contentType: 'application/pdf',
            filename: `scan-${i}.pdf`,
            content: fakeFile(random, '%PDF-1.7\n', 190_000 + random.int(20_000)),
          },
        ]
      : Array.from({ length: 1 + random.int(3) }, (_, a) =>
          random.pick<MimePart>([
            {
              kind: 'attachment',
              contentType: 'application/pdf',
              filename: `order-${i}-${a}.pdf`,
              content: fakeFile(random, '%PDF-1.4\n', 2_000 + random.int(28_000)),
            },
            {
              kind: 'attachment',
              contentType: 'image/png',
              filename: `photo-${i}-${a}.png`,
              content: fakeFile(random, '\x89PNG\r\n\x1a\n', 3_000 + random.int(20_000)),
            },
            {
              kind: 'attachment',
              contentType: 'text/csv; charset=utf-8',
              filename: `lines-${i}-${a}.csv`,
              content: Buffer.from(
                Array.from(
                  { length: 40 + random.int(200) },
                  (_, r) => `${r};Chaise ${r};${(r * 3.5).toFixed(2)} €`,
                ).join('\r\n'),
              ),
            },
          ]),
        );
  return { kind: 'multipart', subtype: 'mixed', parts: [body, ...attachments] };
}

function fakeFile(random: Random, magic: string, size: number): Buffer {
  return Buffer.concat([Buffer.from(magic, 'latin1'), random.bytes(size)]);
}

/** A delivery status notification (RFC 3464) for a notification we sent, to the bounce address. */
function bounceMail(
  i: number,
  db: WorldDatabase,
  recipient: Person,
  thread: WorldThread,
  date: string,
): BenchMail {
  const mx = recipient.email.split('@')[1] ?? 'customer.test';
  const headers = [
    `Received: from mx.${mx} by mx.${db.domain}; ${date}`,
    `Date: ${date}`,
    `From: Mail Delivery System <MAILER-DAEMON@mx.${mx}>`,
    `To: bounce@${db.domain}`,
    'Subject: Undelivered Mail Returned to Sender',
    `Message-ID: <dsn-${i}@mx.${mx}>`,
    'Auto-Submitted: auto-replied',
  ];
  const body: MimePart = {
    kind: 'multipart',
    subtype: 'report',
    params: '; report-type=delivery-status',
    parts: [
      {
        kind: 'text',
        subtype: 'plain',
        charset: 'us-ascii',
        encoding: '7bit',
        text: `This is the mail system at host mx.${mx}.\n\nI'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients.\n\n<${recipient.email}>: host said: 550 5.1.1 User unknown (case ${i})`,
      },
      {
        kind: 'raw',
        headers: ['Content-Type: message/delivery-status'],
        body: `Reporting-MTA: dns; mx.${mx}\r\nArrival-Date: ${date}\r\n\r\nFinal-Recipient: rfc822; ${recipient.email}\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\r\n`,
      },
      {
        kind: 'raw',
        headers: ['Content-Type: text/rfc822-headers'],
        body: `From: notifications@${db.domain}\r\nTo: ${recipient.email}\r\nSubject: ${thread.subject}\r\nMessage-ID: <${thread.seedMessageId}>\r\n`,
      },
    ],
  };
  return {
    raw: writeMessage(headers, body, `dsn${i}`),
    messageId: `dsn-${i}@mx.${mx}`,
    envelopeFrom: '',
    envelopeTo: `bounce@${db.domain}`,
    kind: 'bounce',
    expected: 'bounce',
    domain: db.domain,
  };
}
