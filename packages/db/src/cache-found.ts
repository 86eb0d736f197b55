/**
 * Keeps what a lookup found for `ttlMs`: rows every mail needs (a database, its parameters, the
 * database of an alias domain) that change rarely. A change is seen within `ttlMs`. Lookups of one key
 * made together share one query; a key found missing (or a failed lookup) is not remembered, so a
 * database created a moment ago is found on the next try.
 */
export function cacheFound<T>(
  load: (key: string) => Promise<T | undefined>,
  options: { ttlMs: number; now?: () => number },
): (key: string) => Promise<T | undefined> {
  if (options.ttlMs <= 0) {
    return load;
  }
  const now = options.now ?? Date.now;
  const entries = new Map<string, { until: number; value: Promise<T | undefined> }>();
  return (key) => {
    const hit = entries.get(key);
    if (hit && hit.until > now()) {
      return hit.value;
    }
    const value = load(key);
    entries.set(key, { until: now() + options.ttlMs, value });
    const forget = () => {
      if (entries.get(key)?.value === value) {
        entries.delete(key);
      }
    };
    value.then((found) => (found === undefined ? forget() : undefined), forget);
    return value;
  };
}
