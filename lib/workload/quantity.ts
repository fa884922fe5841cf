// Kubernetes resource quantities ("500m", "2", "1.5Gi", "1e3") as numbers.

const multipliers: Readonly<Record<string, number>> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/**
 * The value of a quantity in base units (cores, bytes); undefined when it is not one. Pods repeat
 * a handful of quantities ("500m", "1Gi"), so the last few hundred answers are remembered.
 */
export function quantityValue(quantity: unknown): number | undefined {
  const text = String(quantity ?? '');
  if (remembered.has(text)) return remembered.get(text);
  if (remembered.size >= rememberedAtMost) remembered.clear();
  const value = parse(text);
  remembered.set(text, value);
  return value;
}

const remembered = new Map<string, number | undefined>();
const rememberedAtMost = 512;

function parse(quantity: string): number | undefined {
  const match = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)([a-zA-Z]*)$/.exec(quantity.trim());
  if (!match || !Object.hasOwn(multipliers, match[2]!)) return undefined;
  return Number(match[1]) * multipliers[match[2]!]!;
}
