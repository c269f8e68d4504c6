// The ES-module Worker that serves the canary: maps URL paths onto guest exports and turns
// the outcome into an HTTP response. Every response names the generation that served it.
import canary from "./canary.wasm";
import { Guest } from "./guest.ts";

const guest = new Guest(canary);

/** Canary protocol: path → guest export. */
const ROUTES: Record<string, string> = {
  "/ok": "canary_ok",
  "/panic": "canary_panic",
  "/abort": "canary_abort",
};

function respond(status: number, jsonBody: string, headers: Record<string, string> = {}): Response {
  return new Response(jsonBody, {
    status,
    headers: { "content-type": "application/json", "wrh-generation": String(guest.generation), ...headers },
  });
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return respond(status, JSON.stringify(body), headers);
}

function failure(error: unknown): Response {
  const name = error instanceof Error ? error.name : "Error";
  const message = error instanceof Error ? error.message : String(error);
  return json(500, { error: name, message, generation: guest.generation }, { "wrh-error": name });
}

export default {
  fetch(request: Request): Response {
    const { pathname } = new URL(request.url);
    if (pathname === "/__harness/info") {
      return json(200, { ...WRH_BUILD, generation: guest.generation });
    }
    const route = ROUTES[pathname];
    if (route === undefined) return json(404, { error: "NotFound", message: `no route ${pathname}` });
    try {
      return respond(200, guest.call(route));
    } catch (error) {
      return failure(error);
    }
  },
};
