import { EXIT_FAILURE } from './command.js';
import { runCli } from './run-cli.js';

// Composition root of the `sotamail` command: the only file that touches the process.

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  }
  return Buffer.concat(chunks).toString('utf8');
}

try {
  // exitCode rather than exit(): stdout may be a pipe that has not been flushed yet.
  process.exitCode = await runCli(process.argv.slice(2), {
    readStdin,
    env: process.env,
    writeStdout: (text) => process.stdout.write(text),
    writeStderr: (text) => process.stderr.write(text),
  });
} catch (error) {
  process.stderr.write(
    `sotamail: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = EXIT_FAILURE;
}
