// check.sh puts this in front of each check: a `#![no_core]` crate with the few lang items
// that `Drop` and unwinding need, so the checks compile to LLVM IR for wasm32 without a standard
// library for the target. check.sh fills in the two placeholders in capitals below, which differ
// between compilers (the drop-glue item is `drop_in_place` in rustc 1.96, `drop_glue` in 1.97
// nightlies; 1.96 also wants `unsafe_unpin` when optimising).
#![feature(no_core, lang_items, auto_traits)]
#![no_core]
#![crate_type = "lib"]
#![allow(internal_features)]
#[lang = "pointee_sized"] pub trait PointeeSized {}
#[lang = "meta_sized"] pub trait MetaSized: PointeeSized {}
#[lang = "sized"] pub trait Sized: MetaSized {}
#[lang = "freeze"] pub unsafe auto trait Freeze {}
#[lang = "unpin"] pub auto trait Unpin {}
EXTRA_ITEMS
#[lang = "copy"] pub trait Copy {}
#[lang = "legacy_receiver"] pub trait LegacyReceiver {}
impl<T: ?Sized> LegacyReceiver for &mut T {}
#[lang = "drop"] pub trait Drop { fn drop(&mut self); }
#[lang = "DROP_GLUE_ITEM"] #[allow(unconditional_recursion)]
pub unsafe fn drop_in_place<T: ?Sized>(to_drop: *mut T) { unsafe { drop_in_place(to_drop) } }
#[lang = "panic_cannot_unwind"] fn panic_cannot_unwind() -> ! { loop {} }
#[lang = "panic_in_cleanup"] fn panic_in_cleanup() -> ! { loop {} }
