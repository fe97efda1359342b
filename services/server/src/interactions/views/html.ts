/**
 * A tiny HTML template tag: every interpolated value is escaped unless it is
 * already `Html` (from another `html` call or `raw`). Pages are plain
 * server-rendered strings; nothing user-supplied reaches the page unescaped.
 */
export class Html {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

type Value = Html | string | number | boolean | null | undefined | readonly Value[];

const SPECIAL = /[&<>"'`=]/;

export function escapeHtml(value: string): string {
  // Most values (labels, paths, tokens) have nothing to escape.
  if (!SPECIAL.test(value)) return value;
  return value.replace(/[&<>"'`=]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function render(value: Value): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

/** Trusted markup only (our own constants). */
export const raw = (value: string): Html => new Html(value);
