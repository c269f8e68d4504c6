// F6: a destructor that unwinds while the frame is already unwinding. Rust's rule is an
// abort ("panic in a destructor during cleanup"): the drop in the cleanup funclet must have an
// unwind edge to a block that calls `panic_in_cleanup`.
unsafe extern "C-unwind" { fn may_throw(); }
pub struct Guard;
impl Drop for Guard { fn drop(&mut self) { unsafe { may_throw() } } }
#[no_mangle]
pub fn outer() { let _g = Guard; unsafe { may_throw() } }
