// Panics and JS errors, inside workerd (see ../testing/inside-workerd.ts).
import { catalogInsideWorkerd } from "../testing/inside-workerd.ts";

catalogInsideWorkerd(["panic-with-siblings", "panic-after-await-with-siblings", "js-error-with-siblings", "reentrant-panic"]);
