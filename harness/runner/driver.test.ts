// The harness's requests to the driver on kept-alive connections: a connection the server closed
// as a request went out on it (workerd closes one idle for 5 s) is not an answer from the worker.
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { driverAgent, driverGet } from "./driver.ts";

let server: Server | undefined;
afterEach(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())));

/** A server that answers `ok` and closes, unread, every `closeAt`-th request on a connection. */
async function serving(closeAt: (nth: number) => boolean): Promise<URL> {
  const seen = new WeakMap<Socket, number>();
  server = createServer((request, response) => {
    const nth = (seen.get(request.socket) ?? 0) + 1;
    seen.set(request.socket, nth);
    if (closeAt(nth)) request.socket.destroy();
    else response.end("ok");
  });
  await new Promise<void>((done) => server!.listen(0, "127.0.0.1", done));
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
}

describe("driverGet", () => {
  // Before: the second request got "socket hang up", recorded as unreachable: a broken
  // blast radius on a worker that never saw the request.
  it("sends a request again when the kept-alive connection it went out on was closed before any answer", async () => {
    const url = await serving((nth) => nth === 2);
    const agent = driverAgent();
    expect((await driverGet(agent, url, "/first", {})).body.toString()).toBe("ok");
    expect((await driverGet(agent, url, "/second", {})).body.toString()).toBe("ok");
    agent.destroy();
  });

  it("does not send again when a new connection is reset: that is the server's answer", async () => {
    const url = await serving(() => true);
    const agent = driverAgent();
    await expect(driverGet(agent, url, "/first", {})).rejects.toThrow(/socket hang up/);
    agent.destroy();
  });
});
