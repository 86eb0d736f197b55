import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createDb, findTenant } from '@sotamail/db';
import { parseMail, planInboundRoute } from '@sotamail/inbound-routing';
import { createTokenSigner, parseSecretKey } from '@sotamail/secrets';
import {
  type Command,
  type CommandOutput,
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
  isHelpFlag,
} from '../command.js';

const NAME = 'route';

export const routeUsage = `Usage: sotamail ${NAME} --database <id> <file.eml>

Prints what the router would do with a raw email for one database (R8), and why, as one JSON line:
  {"action": "reply" | "new-record" | "bounce" | "refused" | "dropped" | "unroutable",
   "thread": the thread id of a reply (or of a fixed-thread alias), else null,
   "reasons": [why, in order]}
Nothing is stored or sent. It reads the database at DATABASE_URL (default
postgres://sotamail:sotamail@127.0.0.1:5432/sotamail, as the services). With SOTAMAIL_SECRET_KEY set
(the services' key), a reply is also recognised by the signed thread token of its Reply-To address.

Exit status: 0 when the decision was printed; 1 when the database cannot be reached; 2 for a usage
error, an unknown database or a file that cannot be read or parsed.
`;

const fail = (message: string): CommandOutput => ({
  stdout: '',
  stderr: `sotamail ${NAME}: ${message}\n`,
  exitCode: EXIT_USAGE,
});

export const routeCommand: Command = {
  name: NAME,
  summary: 'preview how a raw email would be routed for a database (needs DATABASE_URL)',
  usage: routeUsage,
  async run({ args, env }) {
    let database: string | undefined;
    const files: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const arg = args[i] ?? '';
      if (isHelpFlag(arg)) {
        return { stdout: '', stderr: routeUsage, exitCode: EXIT_USAGE };
      }
      if (arg === '--database') {
        database = args[++i];
      } else if (arg.startsWith('--database=')) {
        database = arg.slice('--database='.length);
      } else if (arg.startsWith('-')) {
        return fail(`unknown option ${arg}\n${routeUsage}`);
      } else {
        files.push(arg);
      }
    }
    if (!database || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(database)) {
      return fail(`--database <id> is required: the id (UUID) of a database\n${routeUsage}`);
    }
    if (files.length !== 1 || !files[0]) {
      return fail(`exactly one .eml file is required\n${routeUsage}`);
    }
    let bytes: Buffer;
    try {
      bytes = await readFile(files[0]);
    } catch (err) {
      return fail(
        `cannot read ${files[0]}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
    const handle = createDb({
      url: env?.DATABASE_URL ?? 'postgres://sotamail:sotamail@127.0.0.1:5432/sotamail',
      maxConnections: 2,
      applicationName: 'sotamail-cli',
    });
    try {
      const tenant = await findTenant(handle.db, database);
      if (!tenant) {
        return fail(`database ${database} does not exist`);
      }
      const mail = await parseMail(bytes).catch(() => null);
      if (!mail) {
        return fail(`${files[0]} is not a readable email`);
      }
      const plan = await planInboundRoute(handle.db, {
        tenant,
        mail,
        envelope: {
          id: null,
          sha256: createHash('sha256').update(bytes).digest('hex'),
          envelopeFrom: null,
          envelopeTo: [],
        },
        now: new Date(),
        raw: bytes,
        verifyThreadToken: threadTokenVerifier(env?.SOTAMAIL_SECRET_KEY),
      });
      const line = {
        action: plan.decision.action,
        thread: plan.decision.threadId,
        reasons: plan.decision.reasons,
      };
      return { stdout: `${JSON.stringify(line)}\n`, stderr: '', exitCode: EXIT_OK };
    } catch (err) {
      // Drizzle wraps the driver's error in one that quotes the query: the cause is what to act on.
      let root = err;
      while (root instanceof Error && root.cause instanceof Error) {
        root = root.cause;
      }
      return {
        stdout: '',
        stderr: `sotamail ${NAME}: the database could not be read: ${root instanceof Error ? root.message : String(root)}\n`,
        exitCode: EXIT_FAILURE,
      };
    } finally {
      await handle.close();
    }
  },
};

/**
 * With the key the dispatcher signs Reply-To thread tokens with (SOTAMAIL_SECRET_KEY), a reply found
 * by its token previews as the router routes it; without it, tokens are ignored and the reasons say so.
 */
function threadTokenVerifier(secretKey: string | undefined) {
  if (!secretKey) {
    return null;
  }
  try {
    const signer = createTokenSigner(parseSecretKey(secretKey), 'reply-to');
    return (token: string) => signer.verify(token);
  } catch {
    return null;
  }
}
