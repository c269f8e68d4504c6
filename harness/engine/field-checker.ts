// Validation of data files (scenarios, profiles): one-line errors that name the file, the entry
// and the field, with a suggestion when a name is one typo away from a known one.

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

export function suggestion(word: string, choices: readonly string[]): string {
  const close = choices.filter((c) => editDistance(word, c) <= 2);
  return close.length ? ` (did you mean ${close.map((c) => `"${c}"`).join(" or ")}?)` : "";
}

/** Reads untrusted data field by field; the first problem throws one line naming the field. */
export class FieldChecker {
  readonly #where: string;
  readonly #error: new (message: string) => Error;

  /** `where` names the data (file, entry); `error` is the class thrown. */
  constructor(where: string, error: new (message: string) => Error) {
    this.#where = where;
    this.#error = error;
  }

  fail(field: string, problem: string): never {
    throw new this.#error(`${this.#where}: ${field}: ${problem}`);
  }

  object(value: unknown, field: string, allowed: readonly string[], required: readonly string[] = []): Record<string, unknown> {
    if (typeof value !== "object" || value === null || Array.isArray(value)) this.fail(field, "must be an object");
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!allowed.includes(key)) this.fail(`${field}.${key}`, `unknown field${suggestion(key, allowed)}; known: ${allowed.join(", ")}`);
    }
    for (const key of required) if (record[key] === undefined) this.fail(`${field}.${key}`, "is required");
    return record;
  }

  oneOf<T extends string>(value: unknown, field: string, choices: readonly T[]): T {
    if (typeof value !== "string" || !choices.includes(value as T)) {
      const shown = typeof value === "string" ? `"${value}"` : JSON.stringify(value);
      this.fail(field, `${shown} is not one of ${choices.join(", ")}${typeof value === "string" ? suggestion(value, choices) : ""}`);
    }
    return value as T;
  }

  count(value: unknown, field: string, min = 0, max = 100_000): number {
    if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
      this.fail(field, `must be an integer from ${min} to ${max}`);
    }
    return value as number;
  }

  text(value: unknown, field: string): string {
    if (typeof value !== "string" || value === "") this.fail(field, "must be a non-empty string");
    return value;
  }
}
