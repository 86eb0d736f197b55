// Loaded into a service with NODE_OPTIONS="--import tsx --import <this file>" when BENCH_CPU_PROF_DIR
// is set (Node 20 refuses --cpu-prof in NODE_OPTIONS): a V8 CPU profile of the whole run, written
// when the service exits (open it in Chrome's DevTools, Performance tab).
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.BENCH_CPU_PROF_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.start');
  process.on('exit', () => {
    // The in-process inspector answers synchronously, so this completes inside the exit handler.
    session.post('Profiler.stop', (err, result) => {
      if (!err) {
        const name = `${process.argv[process.argv.length - 1]?.split('/').slice(-3, -2)[0] ?? 'service'}-${process.pid}.cpuprofile`;
        writeFileSync(join(dir, name), JSON.stringify(result.profile));
      }
    });
  });
}
