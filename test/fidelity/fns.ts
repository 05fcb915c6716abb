/**
 * The op language's named functions, with the same results as the oracle's Fns.java (Java string
 * concatenation prints `null` as "null", as template literals do).
 */

function split(spec: string): [string, string] {
  const colon = spec.indexOf(':');
  return colon < 0 ? [spec, ''] : [spec.slice(0, colon), spec.slice(colon + 1)];
}

function first(s: string | null): string | null {
  return s === null || s.length === 0 ? null : s.slice(0, 1);
}

function unknown(kind: string, spec: string): never {
  throw new Error(`unknown ${kind} ${spec}`);
}

export function predicate(spec: string): (key: string | null, value: string | null) => boolean {
  const [name, arg] = split(spec);
  switch (name) {
    case 'vHas':
      return (_, v) => v !== null && v.includes(arg);
    case 'kIs':
      return (k) => k === arg;
    case 'vNull':
      return (_, v) => v === null;
    default:
      return unknown('predicate', spec);
  }
}

export function valueMapper(spec: string): (value: string | null, key: string | null) => string | null {
  const [name, arg] = split(spec);
  switch (name) {
    case 'upper':
      return (v) => (v === null ? null : v.toUpperCase());
    case 'suffix':
      return (v) => (v === null ? null : v + arg);
    case 'withKey':
      return (v, k) => `${k}:${v}`;
    default:
      return unknown('value mapper', spec);
  }
}

export function keySelector(spec: string): (key: string | null, value: string | null) => string | null {
  switch (split(spec)[0]) {
    case 'vFirst':
      return (_, v) => first(v);
    case 'kFirst':
      return (k) => first(k);
    case 'kSuffix':
      return (k) => (k === null ? null : `${k}x`);
    default:
      return unknown('key selector', spec);
  }
}

export function keyValueMapper(
  spec: string,
): (key: string | null, value: string | null) => readonly [string | null, string | null] {
  switch (split(spec)[0]) {
    case 'swap':
      return (k, v) => [v, k];
    case 'vFirstKey':
      return (k, v) => [first(v), `${k}/${v}`];
    case 'kFirstKey':
      return (k, v) => [first(k), v];
    default:
      return unknown('key-value mapper', spec);
  }
}

export function valuesOf(spec: string): (value: string | null) => string[] {
  if (split(spec)[0] !== 'chars') unknown('flat mapper', spec);
  return (v) => (v === null ? [] : [...v]);
}

export function pairsOf(spec: string): (key: string | null, value: string | null) => [string, string][] {
  const values = valuesOf(spec);
  return (k, v) => values(v).map((c) => [c, `${k}${c}`]);
}

export const join = (left: string | null, right: string | null): string => `${left}|${right}`;
export const add = (aggregate: string, value: string | null): string => `${aggregate}+${value}`;
export const subtract = (aggregate: string, value: string | null): string => `${aggregate}-${value}`;
export const merge = (one: string, two: string): string => `${one}&${two}`;
