// Speaks to a worker through its profile: the engine's operations become the profile's routes,
// and responses are read with the profile's patterns. Such a worker cannot park requests, has
// no runtime probes and no Rust object handles (absent from its Client), so what it is asked is less.
import { createHash } from "node:crypto";
import { type Client, type Operation, type Reading, UNRECOGNISED } from "../engine/client.ts";
import type { Profile } from "./profile.ts";

/**
 * The name the worker sees for the engine's object `object` (a run id): the profile's name
 * template around a hex key of it, so distinct objects stay distinct and nothing of the run id
 * (scenario, build, topology) reaches the worker's router. A key that happens to spell a word
 * the profile avoids (hex can spell "dead" or "cafe") is drawn again.
 */
export function objectNameFor(template: string, object: string, avoid: readonly string[] = []): string {
  for (let draw = 0; ; draw++) {
    const key = createHash("sha256").update(draw ? `${object}#${draw}` : object).digest("hex").slice(0, 12);
    const name = template.replaceAll("{n}", key);
    if (!avoid.some((word) => name.toLowerCase().includes(word.toLowerCase()))) return name;
  }
}

const objectPath = (profile: Pick<NonNullable<Profile["object"]>, "path" | "name" | "avoid">, object: string) =>
  profile.path.replaceAll("{id}", encodeURIComponent(objectNameFor(profile.name, object, profile.avoid)));

export function profileClient(profile: Profile): Client {
  const errors = profile.errors.map((e) => ({ class: e.class, body: new RegExp(e.body) }));
  const counter = profile.object && {
    ...profile.object,
    memory: new RegExp(profile.object.memory),
    stored: new RegExp(profile.object.stored),
    step: profile.object.storedStep ?? 1,
  };
  const sibling = (path: string) => (): Operation => ({ kind: "sibling", path });
  const count = (pattern: RegExp, text: string) => {
    const match = pattern.exec(text);
    return match ? Number(match[1]) : undefined;
  };
  return {
    name: profile.name,
    fault: (fault) => (fault.place === "handler" ? profile.faults[fault.kind] : undefined),
    siblings: profile.sibling === undefined
      ? undefined
      : { ok: sibling(profile.sibling), inflight: sibling(profile.sibling), later: sibling(profile.sibling) },
    objects: counter && {
      write: (object) => ({ kind: "object-increment", path: objectPath(counter, object) }),
      // Every request to the counter writes, so a read is a write whose counts are looked at.
      read: (object) => ({ kind: "object-state", path: objectPath(counter, object) }),
      inflight: (object) => ({ kind: "object-increment", path: objectPath(counter, object) }),
      distinct: counter.distinctIds ?? false,
    },
    read(status, _headers, text): Reading {
      if (status !== 200) {
        return { errorClass: errors.find((e) => e.body.test(text))?.class ?? UNRECOGNISED, message: text.slice(0, 300) };
      }
      const memory = counter && count(counter.memory, text);
      const stored = counter && count(counter.stored, text);
      if (memory === undefined || stored === undefined) return { message: text.slice(0, 300) };
      return { body: { memory, stored: stored / counter!.step, wrote: true }, message: text.slice(0, 300) };
    },
  };
}
