// A value computed once per key and kept in a Map or WeakMap, wherever lib/ lists something once
// per pod or per kind instead of once per rule that asks.

interface Store<K, V> {
  get(key: K): V | undefined;
  set(key: K, value: V): unknown;
}

/** The value kept for `key`, computed by `compute` and kept the first time it is asked for. */
export function memo<K, V>(store: Store<K, V>, key: K, compute: (key: K) => V): V {
  const kept = store.get(key);
  if (kept !== undefined) return kept;
  const value = compute(key);
  store.set(key, value);
  return value;
}
