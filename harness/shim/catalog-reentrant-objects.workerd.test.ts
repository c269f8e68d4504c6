// Re-entrant chains and faults inside the Durable Object, inside workerd (see ../testing/inside-workerd.ts).
import { catalogInsideWorkerd } from "../testing/inside-workerd.ts";

catalogInsideWorkerd(["reentrant-abort-swallowed", "reentrant-js-error", "object-panic", "object-abort"]);
