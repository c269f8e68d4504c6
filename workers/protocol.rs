//! The constants the Rust workers share with the harness, read at compile time from their one
//! source, harness/protocol/constants.json (the harness reads the same file). Every crate
//! includes this file with `#[path]` and uses the constants it needs, hence no dead-code
//! warnings for the others; a key that is missing fails the build.
#![allow(dead_code)]

const JSON: &str = include_str!("../harness/protocol/constants.json");

/// Where the value of `"key":` starts in `JSON` (after its colon and spaces).
const fn value_at(key: &str) -> usize {
    let (json, key) = (JSON.as_bytes(), key.as_bytes());
    let mut i = 0;
    while i + key.len() + 2 < json.len() {
        if json[i] == b'"' && json[i + key.len() + 1] == b'"' {
            let mut same = true;
            let mut k = 0;
            while k < key.len() {
                if json[i + 1 + k] != key[k] {
                    same = false;
                    break;
                }
                k += 1;
            }
            let mut j = i + key.len() + 2;
            if same && j < json.len() && json[j] == b':' {
                j += 1;
                while json[j] == b' ' {
                    j += 1;
                }
                return j;
            }
        }
        i += 1;
    }
    panic!("harness/protocol/constants.json: key not found");
}

/// The unsigned integer stored under `key`.
const fn number(key: &str) -> u32 {
    let json = JSON.as_bytes();
    let mut i = value_at(key);
    let mut value = 0u32;
    while json[i].is_ascii_digit() {
        value = value * 10 + (json[i] - b'0') as u32;
        i += 1;
    }
    value
}

/// The string stored under `key` (plain text: no escapes).
const fn string(key: &str) -> &'static str {
    let json = JSON.as_bytes();
    let start = value_at(key) + 1;
    let mut end = start;
    while json[end] != b'"' {
        end += 1;
    }
    let (head, _) = json.split_at(end);
    let (_, text) = head.split_at(start);
    match core::str::from_utf8(text) {
        Ok(text) => text,
        Err(_) => panic!("harness/protocol/constants.json: not UTF-8"),
    }
}

pub const BUFFER_BYTES: usize = number("bufferBytes") as usize;
pub const FRAME_BYTES: usize = number("frameBytes") as usize;
pub const FAULT_PANIC: u32 = number("panic");
pub const FAULT_ABORT: u32 = number("abort");
pub const FAULT_JS_ERROR: u32 = number("js-error");
pub const MUTANT_NO_TERMINATION_GUARD: u32 = number("no-termination-guard");
pub const MUTANT_PANIC_HOOK_TRAPS: u32 = number("panic-hook-traps");
pub const MUTANT_FUTURE_LEAK_ON_UNWIND: u32 = number("future-leak-on-unwind");
pub const PANIC_MESSAGE: &str = string("panicMessage");
pub const JS_ERROR_MESSAGE: &str = string("jsErrorMessage");
