//! Rust objects held by JS across requests (wasm-bindgen exported structs in a JS map), read
//! back through the generated glue: after a reset the glue must refuse a handle from the old
//! instance instead of reading the new instance's memory at its pointer.
use crate::integrity::checksum;
use crate::json::Json;
use wasm_bindgen::prelude::*;
use worker::{Error, Result};

#[wasm_bindgen]
pub struct Note {
    text: String,
}

#[wasm_bindgen]
impl Note {
    pub fn text(&self) -> String {
        self.text.clone()
    }
}

#[wasm_bindgen(inline_js = "
export function wrh_note_keep(note) {
  const notes = (globalThis.__wrh_notes ??= new Map());
  const id = notes.size + 1;
  notes.set(id, note);
  return id;
}
export function wrh_note_read(id) {
  const note = globalThis.__wrh_notes?.get(id);
  if (!note) throw new Error(`NotFound: no object ${id}`);
  return note.text();
}
")]
extern "C" {
    fn wrh_note_keep(note: JsValue) -> u32;
    #[wasm_bindgen(catch)]
    fn wrh_note_read(id: u32) -> std::result::Result<String, JsValue>;
}

pub fn create(text: &str) -> Json {
    let id = wrh_note_keep(Note { text: text.to_owned() }.into());
    Json::new().num("id", id.into())
}

pub fn read(id: u32) -> Result<Json> {
    let text = wrh_note_read(id).map_err(|error| {
        let message = js_sys::Error::from(error).message();
        Error::RustError(String::from(message))
    })?;
    Ok(Json::new().str("text", &text).num("checksum", checksum(text.as_bytes()).into()))
}
