// The expectation shapes, where the catalog and the tests beside it import them from; they
// live in the harness (harness/engine/define-scenario.ts) so the package exports them too.
export { ABORT, contained, JS_ERROR, PANIC, resets, unrecovered } from "../harness/engine/define-scenario.ts";
