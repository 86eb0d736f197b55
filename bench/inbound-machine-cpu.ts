import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

type CpuSample = { busy: number; total: number };

/**
 * The machine's CPU time so far (all processes: services, PostgreSQL, Redis, the senders), from
 * /proc/stat; null where there is none. Time stolen by the hypervisor counts as neither busy nor idle.
 */
export function machineCpu(): CpuSample | null {
  let line: string | undefined;
  try {
    line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  } catch {
    return null;
  }
  // cpu user nice system idle iowait irq softirq steal …, in clock ticks.
  const ticks = line?.trim().split(/\s+/).slice(1, 9).map(Number) ?? [];
  if (ticks.length < 8 || ticks.some((t) => !Number.isFinite(t))) {
    return null;
  }
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0] = ticks;
  const busy = user + nice + system + irq + softirq;
  return { busy, total: busy + idle + iowait };
}

/**
 * One line: how busy the machine was over a measured run, and its CPU time per mail. A change that
 * saves CPU shows here even when the machine's speed, which drifts by a fifth, hides it in msg/s.
 */
export function describeMachineCpu(before: CpuSample | null, after: CpuSample | null, mails: number): string {
  if (!before || !after || after.total <= before.total) {
    return 'machine CPU: not measured (no /proc/stat)';
  }
  // Clock ticks are hundredths of a second on Linux (USER_HZ).
  const busySeconds = (after.busy - before.busy) / 100;
  const share = (after.busy - before.busy) / (after.total - before.total);
  return `machine CPU: ${busySeconds.toFixed(1)} s busy (${Math.round(share * 100)} % of ${cpus().length} cores), ${((busySeconds * 1000) / mails).toFixed(2)} ms per mail`;
}
