#!/bin/sh
# Compile-only codegen checks behind F6 and F8 (docs/findings.md): each compiles a few lines to
# LLVM IR for wasm32 with -Cpanic=unwind (about a second, no standard library for the target
# needed) and reads the IR. RUSTC picks the compiler (default: rustc on PATH). Exits 1 when
# either bug shows.
set -u
here=$(cd "$(dirname "$0")" && pwd)
RUSTC=${RUSTC:-rustc}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
flags="--crate-name check --target wasm32-unknown-unknown -Cpanic=unwind -Ctarget-feature=+exception-handling --emit=llvm-ir"

# compile CHECK OPT-LEVEL IMPORT-ABI -> $work/CHECK.ll, trying the lang-item names of rustc 1.96
# and of 1.97 nightlies
compile() {
  for glue in drop_in_place drop_glue; do
    for extra in '#[lang = "unsafe_unpin"] pub unsafe auto trait UnsafeUnpin {}' ''; do
      { sed -e "s/DROP_GLUE_ITEM/$glue/" -e "s/EXTRA_ITEMS/$extra/" "$here/prelude.rs"
        sed "s/IMPORT_ABI/$3/" "$here/$1.rs"; } > "$work/$1.rs"
      RUSTC_BOOTSTRAP=1 "$RUSTC" $flags "-Copt-level=$2" -o "$work/$1.ll" "$work/$1.rs" \
        2>/dev/null && return 0
    done
  done
  echo "$1.rs does not compile with this rustc"
  exit 2
}
body() { sed -n "/define.*@$1(/,/^}/p" "$work/$2.ll"; }

echo "$("$RUSTC" --version)"
bug=0

compile panic-in-cleanup 0 C
if body outer panic-in-cleanup | grep -q 'call .*panic_in_cleanup'; then
  echo "F6  panic in a destructor during cleanup: aborts (panic_in_cleanup on the cleanup's unwind edge)"
else
  echo "F6  panic in a destructor during cleanup: does NOT abort (no terminate edge in the cleanup funclet)"
  bug=1
fi

for case in "0 C" "s C" "s C-unwind"; do
  set -- $case
  compile import-landing-pad "$1" "$2"
  if body handler import-landing-pad | grep -q cleanuppad; then
    verdict="landing pad: the caller's locals are dropped if the import throws"
  else
    verdict="NO landing pad: the caller's locals are skipped if the import throws"
    [ "$2" = C ] && bug=1
  fi
  echo "F8  extern \"$2\" import, opt-level $1: $verdict"
done
exit $bug
