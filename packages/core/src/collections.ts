// Small Map helpers shared by the compiler and explain.

/** The value under `key`, created with `make()` and stored first when missing. */
export function getOrInsert<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}
