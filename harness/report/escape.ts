// The one escaper of the markup reports (HTML timelines, the release matrix's HTML, JUnit XML):
// everything from a history (messages and bodies come from the worker) goes through it. `&#39;`
// is a quote in both HTML and XML.
const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeMarkup(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}
