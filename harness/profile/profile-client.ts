// Speaks to a worker through its profile: the engine's operations become the profile's routes,
// and responses are read with the profile's patterns. Such a worker cannot park requests, has
// no runtime probes and no Rust object handles (see Capabilities), so what it is asked is less.
import { type Client, type Operation, type Reading, UNRECOGNISED } from "../engine/client.ts";
import type { Profile } from "./profile.ts";


export function profileClient(profile: Profile): Client {
  const errors = profile.errors.map((e) => ({ class: e.class, body: new RegExp(e.body) }));
  const counter = profile.object && {
    ...profile.object,
    memory: new RegExp(profile.object.memory),
    stored: new RegExp(profile.object.stored),
    step: profile.object.storedStep ?? 1,
  };
  const missing = (what: string): never => {
    throw new Error(`profile ${profile.name} has no ${what}`);
  };
  const sibling = (): Operation => ({ kind: "sibling", path: profile.sibling ?? missing("sibling route") });
  const objectPath = (object: string) => (counter ?? missing("object")).path.replaceAll("{id}", encodeURIComponent(object));
  const count = (pattern: RegExp, text: string) => {
    const match = pattern.exec(text);
    return match ? Number(match[1]) : undefined;
  };
  return {
    name: profile.name,
    capabilities: {
      siblings: profile.sibling !== undefined,
      objects: profile.object !== undefined,
      park: false,
      probes: false,
      handles: false,
      distinctObjects: profile.object?.distinctIds ?? false,
    },
    fault: (fault) => (fault.place === "handler" ? profile.faults[fault.kind] : undefined),
    ok: sibling,
    inflight: sibling,
    later: sibling,
    objectWrite: (object) => ({ kind: "object-increment", path: objectPath(object) }),
    // Every request to the counter writes, so a read is a write whose counts are looked at.
    objectRead: (object) => ({ kind: "object-state", path: objectPath(object) }),
    objectInflight: (object) => ({ kind: "object-increment", path: objectPath(object) }),
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
