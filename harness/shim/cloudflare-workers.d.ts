// The part of the `cloudflare:workers` module the in-workerd tests use (they run inside
// workerd through @cloudflare/vitest-pool-workers, where this module exists).
declare module "cloudflare:workers" {
  export const exports: { default: { fetch(request: Request): Promise<Response> } };
  export const env: Record<string, string | undefined>;
}
