import {
  MAIL_PARAM_KEYS,
  type MailParamKey,
  type PlanOutgoingRouteInput,
  planOutgoingRoute,
} from '@sotamail/mail-core';
import { z } from 'zod';
import { type Command, type CommandOutput, EXIT_OK, EXIT_USAGE, isHelpFlag } from '../command.js';

const NAME = 'preview-send';

const paramValue = z.string().nullable().optional();
// Strict, so a misspelt key (`mail.default_from`) is reported instead of silently meaning "not set".
const paramsSchema = z.strictObject(
  Object.fromEntries(MAIL_PARAM_KEYS.map((key) => [key, paramValue])) as Record<
    MailParamKey,
    typeof paramValue
  >,
);

// Extra server fields (host, port… from an API dump) are ignored; the ones R4 needs are required.
const serverSchema = z.object({
  id: z.string().min(1),
  name: z.string().optional(),
  fromFilter: z.string().nullable(),
  priority: z.number(),
  active: z.boolean(),
});

export const previewSendInputSchema = z.strictObject({
  servers: z.array(serverSchema),
  params: paramsSchema,
  from: z.string(),
  kind: z.enum(['transactional', 'mass']),
  dedicatedServerId: z.string().nullable().optional(),
});

export type PreviewSendInput = z.infer<typeof previewSendInputSchema>;

export const previewSendUsage = `Usage: sotamail ${NAME} < input.json

Previews, without sending, which outgoing server sends a mail, with which From header and envelope
sender, and why.

Reads from stdin one JSON object, or several objects one per line (blank lines ignored):
  servers            [{"id": string, "name"?: string, "fromFilter": string | null,
                       "priority": number, "active": boolean}]
  params             {"mail.default.from", "mail.default.from_filter", "mail.catchall.domain",
                      "mail.catchall.alias", "mail.bounce.alias"}: string | null each;
                     absent or null = not set (no defaults are applied)
  from               the author's From header, e.g. "\\"Admin\\" <admin@example.com>"
  kind               "transactional" or "mass"
  dedicatedServerId  optional: the dedicated mass-mailing server's id, or null

Prints one JSON line per object, in order:
  {"server": id, or null for the platform default server, "from": From header,
   "envelopeFrom": envelope sender address, "reason": why}

Exit status: 0 when every object was valid; 2 at the first invalid object (bad JSON, missing or
wrong fields, unparsable From): the results of the objects before it are printed, the error names
the line, and the objects after it are not read.
`;

/**
 * The whole command as a function of its input text. One object may span several lines
 * (pretty-printed); otherwise each non-blank line is one object.
 */
export function previewSend(input: string): CommandOutput {
  const text = input.replace(/^\uFEFF/, '');
  if (text.trim() === '') {
    return invalid('no input: expected a JSON object on stdin (one per line for several)', '');
  }
  let stdout = '';
  for (const item of splitItems(text)) {
    const outcome = previewOne(item.json);
    if (!outcome.ok) {
      return invalid(`${item.label}: ${outcome.message}`, stdout);
    }
    stdout += `${outcome.line}\n`;
  }
  return { stdout, stderr: '', exitCode: EXIT_OK };
}

export const previewSendCommand: Command = {
  name: NAME,
  summary: 'preview the server, From and envelope sender of an outgoing mail (JSON on stdin)',
  usage: previewSendUsage,
  async run({ args, readStdin }) {
    const [first] = args;
    if (first !== undefined) {
      const problem = isHelpFlag(first)
        ? ''
        : `sotamail ${NAME}: unexpected argument ${JSON.stringify(first)}\n`;
      return { stdout: '', stderr: `${problem}${previewSendUsage}`, exitCode: EXIT_USAGE };
    }
    return previewSend(await readStdin());
  },
};

type Item = { label: string; json: string };

function splitItems(text: string): Item[] {
  const lines = text.split(/\r?\n/);
  const nonBlank = lines.filter((line) => line.trim() !== '');
  if (nonBlank.length > 1 && parsesAsOneValue(text)) {
    return [{ label: 'input', json: text }];
  }
  return lines.flatMap((line, index) =>
    line.trim() === '' ? [] : [{ label: `line ${index + 1}`, json: line }],
  );
}

function parsesAsOneValue(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

type Outcome = { ok: true; line: string } | { ok: false; message: string };

function previewOne(json: string): Outcome {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (error) {
    return {
      ok: false,
      message: `not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    };
  }
  const parsed = previewSendInputSchema.safeParse(data, {
    error: (issue) => (issue.input === undefined ? 'is required' : undefined),
  });
  if (!parsed.success) {
    return { ok: false, message: parsed.error.issues.map(describeIssue).join('; ') };
  }
  const route = planOutgoingRoute(parsed.data satisfies PlanOutgoingRouteInput);
  if (!route.ok) {
    return { ok: false, message: route.error.message };
  }
  const { serverId, fromHeader, envelopeFrom, reason } = route.value;
  return { ok: true, line: JSON.stringify({ server: serverId, from: fromHeader, envelopeFrom, reason }) };
}

/** `servers[0].priority: expected number, received string`, `params["mail.bounce.alias"]: …`. */
function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path
    .map((key, index) => {
      if (typeof key === 'number') {
        return `[${key}]`;
      }
      const name = String(key);
      if (!/^[A-Za-z_$][\w$]*$/.test(name)) {
        return `[${JSON.stringify(name)}]`;
      }
      return index === 0 ? name : `.${name}`;
    })
    .join('');
  const text = issue.message.replace(/^Invalid (input|option): /, '');
  const message = text.charAt(0).toLowerCase() + text.slice(1);
  return path === '' ? message : `${path}: ${message}`;
}

function invalid(message: string, stdout: string): CommandOutput {
  return { stdout, stderr: `sotamail ${NAME}: ${message}\n`, exitCode: EXIT_USAGE };
}
