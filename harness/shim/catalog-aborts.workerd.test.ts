// Aborts: a trap, memory exhausted, the stack exhausted, a panic while unwinding, inside workerd (see ../testing/inside-workerd.ts).
import { catalogInsideWorkerd } from "../testing/inside-workerd.ts";

catalogInsideWorkerd(["abort-with-siblings", "oom-with-siblings", "stack-overflow-with-siblings", "panic-in-drop-with-siblings"]);
