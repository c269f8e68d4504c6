//! Notes: Rust objects handed to JS as pointers, like an exported class instance. After a
//! reset a pointer from the old generation means nothing in the new memory; the host must
//! refuse it (`StaleObject`) rather than pass it in.

use crate::{integrity, json_string};

const NOTE_MAGIC: u64 = 0x6e6f_7465_5f77_7268;

pub struct Note {
    magic: u64,
    text: String,
}

/// Creates a note holding `text` (an argument the host allocated); returns its pointer.
#[unsafe(no_mangle)]
pub extern "C-unwind" fn canary_note_new(ptr: *mut u8, len: usize) -> *mut Note {
    recovery::export(|| {
        // SAFETY: the host passes an argument it allocated with wrh_alloc.
        let text = unsafe { recovery::take_string(ptr, len) };
        Box::into_raw(Box::new(Note { magic: NOTE_MAGIC, text }))
    })
}

/// Answers with the note's text and checksum. A pointer that is not a live note is a bug in
/// the caller; it panics if it notices.
#[unsafe(no_mangle)]
pub extern "C-unwind" fn canary_note_read(note: *const Note) {
    recovery::export(|| {
        // SAFETY: the host only passes pointers from canary_note_new of this instance.
        let note = unsafe { &*note };
        assert_eq!(note.magic, NOTE_MAGIC, "not a note: a pointer from another instance?");
        let checksum = integrity::checksum(note.text.as_bytes());
        recovery::respond(&format!("{{\"text\":{},\"checksum\":{checksum}}}", json_string(&note.text)));
    })
}

#[unsafe(no_mangle)]
pub extern "C-unwind" fn canary_note_free(note: *mut Note) {
    // SAFETY: as for canary_note_read; the host forgets the pointer afterwards.
    recovery::export(|| drop(unsafe { Box::from_raw(note) }))
}
