// Re-entrant chains and faults inside the Durable Object, inside workerd (see inside-workerd.ts).
import { catalogInsideWorkerd } from "./inside-workerd.ts";

catalogInsideWorkerd(["reentrant-abort-swallowed", "reentrant-js-error", "object-panic", "object-abort"]);
