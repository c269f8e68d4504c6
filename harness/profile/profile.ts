// The profile format. A profile maps the harness's operations onto the routes and response
// formats of a worker the harness did not build: how to trigger each fault kind, which request
// is a harmless sibling, how to read a Durable Object counter's in-memory and stored counts,
// and how to tell an error's class from a response body. Profiles are JSON files, validated on
// load; the built-in ones live in profiles/ (`--profile <name>`), any other file works too
// (`--profile path/to/file.json`).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { FieldChecker } from "../engine/field-checker.ts";
import { FAULT_KINDS, type FaultKind } from "../history/scenario.ts";
import { PROJECT_ROOT } from "../project.ts";
import { ERROR_CLASSES, type ErrorClass } from "../protocol/recovery.ts";
import { InputError } from "../errors.ts";

export interface ProfileObject {
  /** Path of a request to the counter; `{id}` is replaced by the object's name. */
  path: string;
  /** Whether two names reach two objects (workers-rs's test worker ignores the name). */
  distinctIds: boolean;
  /**
   * Regular expressions with one capture group, applied to a 200 body: the in-memory count
   * (lost when the instance is) and the stored count, both after this request.
   */
  memory: string;
  stored: string;
  /** How much `stored` grows per write; 1 by default (workers-rs's counter adds 10). */
  storedStep?: number;
  /**
   * The names the harness gives objects: `{n}` becomes a key of lowercase hex digits, one per
   * object a run uses (`wrh-{n}` by default). Nothing of the harness's own (run ids, topology
   * names) reaches the worker: a router that reads meaning into names (workers-rs's test worker
   * sends names containing "shared" to another binding) sees only what the profile says is safe.
   */
  name: string;
  /**
   * Words the worker's router reads meaning into (workers-rs's test worker: "shared"): no name
   * the harness gives an object contains one, whatever the key. A template containing one is a
   * profile error.
   */
  avoid?: string[];
}

export interface ErrorPattern {
  class: ErrorClass;
  /** Regular expression matched against the body of a failed response. */
  body: string;
}

export interface Profile {
  /** Kebab-case; the file's name without `.json` for the built-in ones. */
  name: string;
  description: string;
  /**
   * The route that triggers each fault kind in a stateless request. Scenarios whose fault has
   * no route here (or is placed elsewhere than the handler) are not run.
   */
  faults: Partial<Record<FaultKind, string>>;
  /** A request that should answer 200 whatever happens to other requests: the siblings. */
  sibling?: string;
  /**
   * A Durable Object counter for the state checks. Every request to it is a write: it counts
   * requests in memory and in storage.
   */
  object?: ProfileObject;
  /** How to name a failure's class: the first pattern that matches its body wins. */
  errors: ErrorPattern[];
  /**
   * Durable Object bindings (binding → exported class) to give a worker started from a built
   * directory; a wrangler config brings its own.
   */
  durableObjects?: Record<string, string>;
  /**
   * Variables only the harness needs, added to the worker's own (a wrangler config's `[vars]`
   * and `.dev.vars`, which win where both name one).
   */
  vars?: Record<string, string>;
}

export class ProfileError extends InputError {
  override name = "ProfileError";
}

/** The profile a worker of your own is judged through when none is named: workers-rs's own test worker's routes. */
export const DEFAULT_PROFILE = "workers-rs-test";

/** Object names when a profile gives none: lowercase letters, digits and a dash, no words. */
export const DEFAULT_OBJECT_NAME = "wrh-{n}";

export const PROFILE_DIR = join(PROJECT_ROOT, "profiles");

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function regex(c: FieldChecker, value: unknown, field: string, groups: number): string {
  const source = c.text(value, field);
  let compiled: RegExp;
  try {
    compiled = new RegExp(source);
  } catch (error) {
    c.fail(field, `not a regular expression: ${(error as Error).message}`);
  }
  // A capture group count check: `new RegExp(source + "|")` matches the empty string, and its
  // match array has one slot per group.
  const found = new RegExp(`${compiled.source}|`).exec("")!.length - 1;
  if (groups && found !== groups) c.fail(field, `needs exactly ${groups} capture group (the number), has ${found}`);
  return source;
}

function avoidList(c: FieldChecker, value: unknown): string[] {
  if (!Array.isArray(value) || value.some((word) => typeof word !== "string" || word === "")) {
    c.fail("object.avoid", "must be a list of non-empty words, e.g. [\"shared\"]");
  }
  return value as string[];
}

function path(c: FieldChecker, value: unknown, field: string): string {
  const text = c.text(value, field);
  if (!text.startsWith("/")) c.fail(field, `"${text}" must be a path starting with /`);
  return text;
}

/** Checks `value` is a Profile; `where` names its file in the one-line error. */
export function validateProfile(value: unknown, where: string): Profile {
  const c = new FieldChecker(where, ProfileError);
  const p = c.object(value, "profile", ["$comment", "name", "description", "faults", "sibling", "object", "errors", "durableObjects", "vars"], ["name", "description", "faults", "errors"]);
  const name = c.text(p.name, "name");
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(name)) c.fail("name", "must be kebab-case, e.g. workers-rs-test");

  const f = c.object(p.faults, "faults", FAULT_KINDS);
  const faults: Partial<Record<FaultKind, string>> = {};
  for (const kind of FAULT_KINDS) if (f[kind] !== undefined) faults[kind] = path(c, f[kind], `faults.${kind}`);
  if (Object.keys(faults).length === 0) c.fail("faults", `needs a route for at least one of ${FAULT_KINDS.join(", ")}`);

  let object: ProfileObject | undefined;
  if (p.object !== undefined) {
    const o = c.object(p.object, "object", ["path", "distinctIds", "memory", "stored", "storedStep", "name", "avoid"], ["path", "distinctIds", "memory", "stored"]);
    if (typeof o.distinctIds !== "boolean") c.fail("object.distinctIds", "must be true or false");
    const distinctIds = o.distinctIds as boolean;
    object = {
      path: path(c, o.path, "object.path"),
      distinctIds,
      memory: regex(c, o.memory, "object.memory", 1),
      stored: regex(c, o.stored, "object.stored", 1),
      storedStep: o.storedStep === undefined ? undefined : c.count(o.storedStep, "object.storedStep", 1, 1_000_000),
      name: o.name === undefined ? DEFAULT_OBJECT_NAME : c.text(o.name, "object.name"),
      avoid: o.avoid === undefined ? undefined : avoidList(c, o.avoid),
    };
    const avoided = object.avoid?.find((word) => object!.name.replaceAll("{n}", "").toLowerCase().includes(word.toLowerCase()));
    if (avoided) c.fail("object.name", `"${object.name}" contains "${avoided}", which object.avoid says the worker's router reads meaning into`);
    if (!object.name.includes("{n}")) c.fail("object.name", `"${object.name}" needs {n} where the harness puts each object's key`);
    if (/[/?#]/.test(object.name)) c.fail("object.name", `"${object.name}" must not contain / ? or #: it is one path segment`);
    if (distinctIds && !object.path.includes("{id}")) c.fail("object.path", "needs {id} where the object's name goes (distinctIds is true)");
  }

  if (!Array.isArray(p.errors) || p.errors.length === 0) c.fail("errors", "must be a non-empty list of {class, body}");
  const errors = (p.errors as unknown[]).map((value, i) => {
    const e = c.object(value, `errors[${i}]`, ["class", "body"], ["class", "body"]);
    return { class: c.oneOf(e.class, `errors[${i}].class`, ERROR_CLASSES), body: regex(c, e.body, `errors[${i}].body`, 0) };
  });

  let durableObjects: Record<string, string> | undefined;
  if (p.durableObjects !== undefined) {
    const d = c.object(p.durableObjects, "durableObjects", Object.keys(p.durableObjects ?? {}));
    durableObjects = {};
    for (const [binding, className] of Object.entries(d)) {
      if (!IDENTIFIER.test(binding)) c.fail(`durableObjects.${binding}`, "a binding must be a JavaScript identifier");
      if (typeof className !== "string" || !IDENTIFIER.test(className)) c.fail(`durableObjects.${binding}`, "must name an exported class");
      durableObjects[binding] = className as string;
    }
  }

  let vars: Record<string, string> | undefined;
  if (p.vars !== undefined) {
    const v = c.object(p.vars, "vars", Object.keys(p.vars ?? {}));
    vars = {};
    for (const [key, value] of Object.entries(v)) {
      if (!IDENTIFIER.test(key)) c.fail(`vars.${key}`, "a variable's name must be a JavaScript identifier");
      vars[key] = c.text(value, `vars.${key}`);
    }
  }

  return {
    name,
    description: c.text(p.description, "description"),
    faults,
    sibling: p.sibling === undefined ? undefined : path(c, p.sibling, "sibling"),
    object,
    errors,
    durableObjects,
    vars,
  };
}

export function builtInProfiles(): string[] {
  return readdirSync(PROFILE_DIR).filter((f) => f.endsWith(".json")).map((f) => basename(f, ".json")).sort();
}

/** A built-in profile by name, or a profile file by path. */
export function loadProfile(nameOrFile: string): Profile {
  const builtIn = join(PROFILE_DIR, `${nameOrFile}.json`);
  const file = /[/\\]|\.json$/.test(nameOrFile) ? nameOrFile : builtIn;
  if (!existsSync(file)) {
    throw new ProfileError(`--profile ${nameOrFile}: no such profile file or built-in profile (built in: ${builtInProfiles().join(", ")})`);
  }
  const where = relative(process.cwd(), file) || file;
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ProfileError(`${where}: not valid JSON: ${(error as Error).message}`);
  }
  return validateProfile(data, where);
}
