#!/usr/bin/env node
// Launcher only: the command is compiled from src/ into dist/ (`npm run build -w @sotamail/cli`).
try {
  await import('../dist/main.js');
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND') {
    process.stderr.write(
      `sotamail is not built (${error.message}).\n` +
        'Build it first: npm run build -w @sotamail/mail-core -w @sotamail/cli\n',
    );
    process.exitCode = 1;
  } else {
    throw error;
  }
}
