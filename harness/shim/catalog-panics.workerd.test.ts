// Panics and JS errors, inside workerd (see inside-workerd.ts).
import { catalogInsideWorkerd } from "./inside-workerd.ts";

catalogInsideWorkerd(["panic-with-siblings", "panic-after-await-with-siblings", "js-error-with-siblings", "reentrant-panic"]);
