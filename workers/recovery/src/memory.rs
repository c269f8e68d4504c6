//! Memory the host writes arguments into. The host allocates with `wrh_alloc`, copies bytes in
//! and passes (pointer, length); the export takes ownership with [`take_string`]. It also tells the
//! host how much of the heap is allocated ([`crate::heap`]).

use std::alloc::{Layout, alloc, dealloc};

fn layout(len: usize) -> Layout {
    Layout::from_size_align(len.max(1), 1).expect("argument too large")
}

/// Host → guest: allocates `len` bytes for an argument.
#[unsafe(no_mangle)]
pub extern "C-unwind" fn wrh_alloc(len: usize) -> *mut u8 {
    // SAFETY: the layout has a non-zero size.
    let ptr = unsafe { alloc(layout(len)) };
    if ptr.is_null() {
        std::alloc::handle_alloc_error(layout(len));
    }
    ptr
}

/// Takes ownership of an argument the host allocated with `wrh_alloc` and filled with UTF-8.
///
/// # Safety
/// `ptr`/`len` must come from one `wrh_alloc(len)` call of this instance, not yet taken.
pub unsafe fn take_string(ptr: *mut u8, len: usize) -> String {
    // SAFETY: per the contract above the bytes are initialised and owned by us.
    let text = String::from_utf8_lossy(unsafe { std::slice::from_raw_parts(ptr, len) }).into_owned();
    unsafe { dealloc(ptr, layout(len)) };
    text
}

/// Host → guest: the bytes of the heap currently allocated.
#[unsafe(no_mangle)]
pub extern "C" fn wrh_heap_bytes() -> usize {
    crate::heap::live_bytes()
}
