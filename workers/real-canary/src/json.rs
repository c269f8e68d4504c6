//! Small JSON objects without a serializer: every body the canary writes is flat.
pub struct Json(String);

impl Json {
    pub fn new() -> Self {
        Json(String::from("{"))
    }

    fn key(mut self, key: &str) -> Self {
        if self.0.len() > 1 {
            self.0.push(',');
        }
        self.0.push_str(&string(key));
        self.0.push(':');
        self
    }

    pub fn num(self, key: &str, value: u64) -> Self {
        let mut json = self.key(key);
        json.0.push_str(&value.to_string());
        json
    }

    pub fn boolean(self, key: &str, value: bool) -> Self {
        let mut json = self.key(key);
        json.0.push_str(if value { "true" } else { "false" });
        json
    }

    pub fn str(self, key: &str, value: &str) -> Self {
        let mut json = self.key(key);
        json.0.push_str(&string(value));
        json
    }

    /// A value already in JSON (a list, null).
    pub fn raw(self, key: &str, value: &str) -> Self {
        let mut json = self.key(key);
        json.0.push_str(value);
        json
    }

    pub fn finish(mut self) -> String {
        self.0.push('}');
        self.0
    }
}

pub use text::json_string as string;

#[path = "../../canary/src/json.rs"]
mod text;
