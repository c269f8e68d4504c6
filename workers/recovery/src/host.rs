//! The functions the host shim provides to the guest (`harness/shim/guest-imports.ts`).

#[link(wasm_import_module = "wrh_host")]
unsafe extern "C" {
    #[link_name = "respond"]
    fn host_respond(ptr: *const u8, len: usize);
    #[link_name = "panicked"]
    fn host_panicked(ptr: *const u8, len: usize);
}

/// Hands the body of the current request's response to the host, which copies it out of
/// linear memory before this returns.
pub fn respond(body: &str) {
    // SAFETY: the host reads `len` bytes at `ptr` synchronously and keeps no reference.
    unsafe { host_respond(body.as_ptr(), body.len()) }
}

/// Tells the host the message of the panic that is ending the current export.
pub(crate) fn panicked(message: &str) {
    // SAFETY: as for `respond`.
    unsafe { host_panicked(message.as_ptr(), message.len()) }
}
