//! JSON exports: parsed once, read leniently field by field, and wiped when
//! dropped (the parsed text holds every secret of the file).
//!
//! Leniency is per field: a missing or `null` field is `None`, a field of the
//! wrong type is an error naming the field, so one odd entry can be skipped
//! with a reason while the rest of the file imports.

use std::ops::Deref;

use serde_json::{Map, Value, error::Category};
use zeroize::Zeroize;

use super::{Format, ImportError};

/// A parsed JSON document whose strings are zeroized on drop.
pub(super) struct SecretJson(Value);

impl SecretJson {
    /// Parses `bytes` (a UTF-8 byte-order mark is ignored). A syntax error
    /// says where it is, never what is there.
    pub(super) fn parse(bytes: &[u8], format: Format) -> Result<Self, ImportError> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        serde_json::from_slice(bytes)
            .map(SecretJson)
            .map_err(|e| ImportError::damaged(format, describe_error(&e)))
    }

    /// True when `bytes` parse as JSON and `test` accepts the value; for
    /// sniffing.
    pub(super) fn check(bytes: &[u8], test: impl FnOnce(&Value) -> bool) -> bool {
        let trimmed = bytes.trim_ascii_start();
        let trimmed = trimmed.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(trimmed);
        if !matches!(trimmed.first(), Some(b'{' | b'[')) {
            return false;
        }
        serde_json::from_slice(trimmed).is_ok_and(|value| test(&SecretJson(value)))
    }
}

impl Deref for SecretJson {
    type Target = Value;

    fn deref(&self) -> &Value {
        &self.0
    }
}

impl Drop for SecretJson {
    fn drop(&mut self) {
        wipe(&mut self.0);
    }
}

fn wipe(value: &mut Value) {
    match value {
        Value::String(text) => text.zeroize(),
        Value::Array(items) => items.iter_mut().for_each(wipe),
        Value::Object(map) => map.values_mut().for_each(wipe),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// Where the JSON went wrong, in words.
fn describe_error(error: &serde_json::Error) -> String {
    let (line, column) = (error.line(), error.column());
    match error.classify() {
        Category::Eof => format!(
            "the JSON stops in the middle at line {line}, column {column} (the file looks cut short)"
        ),
        Category::Syntax => format!("the JSON is not valid at line {line}, column {column}"),
        Category::Data | Category::Io => "the file could not be read as JSON".to_owned(),
    }
}

/// One JSON object of an export, read leniently.
#[derive(Clone, Copy)]
pub(super) struct Fields<'a>(&'a Map<String, Value>);

impl<'a> Fields<'a> {
    /// `value` as an object, if it is one.
    pub(super) fn of(value: &'a Value) -> Option<Self> {
        value.as_object().map(Fields)
    }

    pub(super) fn has(self, key: &str) -> bool {
        self.0.contains_key(key)
    }

    fn get(self, key: &str) -> Option<&'a Value> {
        self.0.get(key).filter(|v| !v.is_null())
    }

    /// A text field. The error does not quote the value: it may be a secret.
    pub(super) fn text(self, key: &str) -> Result<Option<&'a str>, String> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(_) => Err(format!("`{key}` is not text")),
        }
    }

    /// A text field, or "" when it is missing or not text (for names and
    /// notes, where a wrong type is no reason to skip an account).
    pub(super) fn text_or_empty(self, key: &str) -> &'a str {
        self.text(key).ok().flatten().unwrap_or("")
    }

    /// A whole number, given as a JSON number or as digits in a string.
    pub(super) fn number(self, key: &str) -> Result<Option<u64>, String> {
        let Some(value) = self.get(key) else {
            return Ok(None);
        };
        let number = match value {
            Value::Number(n) => n.as_u64(),
            Value::String(text) => text.trim().parse().ok(),
            _ => None,
        };
        match number {
            Some(n) => Ok(Some(n)),
            None if value.is_number() => Err(format!("`{key}` is {value}, not a whole number")),
            None => Err(format!("`{key}` is not a whole number")),
        }
    }

    /// A true/false flag; anything else counts as false.
    pub(super) fn flag(self, key: &str) -> bool {
        self.get(key).and_then(Value::as_bool).unwrap_or(false)
    }

    pub(super) fn object(self, key: &str) -> Option<Fields<'a>> {
        self.get(key).and_then(Fields::of)
    }

    pub(super) fn array(self, key: &str) -> Option<&'a [Value]> {
        self.get(key).and_then(Value::as_array).map(Vec::as_slice)
    }

    /// The text items of an array field (other items are ignored).
    pub(super) fn strings(self, key: &str) -> Vec<String> {
        self.array(key)
            .unwrap_or_default()
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<SecretJson, ImportError> {
        SecretJson::parse(text.as_bytes(), Format::Aegis)
    }

    fn problem(text: &str) -> String {
        match parse(text) {
            Err(ImportError::Damaged { problem, .. }) => problem,
            other => panic!("expected a damaged file, got {:?}", other.is_ok()),
        }
    }

    #[test]
    fn a_cut_short_file_says_so_without_quoting_it() {
        let problem = problem("{\"secret\": \"JBSWY3DPEHPK3PXP\", \"x\": [1,");
        assert!(problem.contains("cut short"), "{problem}");
        assert!(!problem.contains("JBSW"), "{problem}");
    }

    #[test]
    fn a_syntax_error_names_line_and_column() {
        assert_eq!(
            problem("{\n  \"a\": 1,\n  ]\n}"),
            "the JSON is not valid at line 3, column 3"
        );
    }

    #[test]
    fn a_byte_order_mark_is_ignored() {
        assert!(parse("\u{feff}{\"a\": 1}").is_ok());
    }

    #[test]
    fn numbers_are_read_from_numbers_or_digit_strings() {
        let json = parse(r#"{"a": 6, "b": "8", "c": -1, "d": true, "e": null}"#).unwrap();
        let fields = Fields::of(&json).unwrap();
        assert_eq!(fields.number("a"), Ok(Some(6)));
        assert_eq!(fields.number("b"), Ok(Some(8)));
        assert_eq!(
            fields.number("c"),
            Err("`c` is -1, not a whole number".into())
        );
        assert_eq!(fields.number("d"), Err("`d` is not a whole number".into()));
        assert_eq!(fields.number("e"), Ok(None));
        assert_eq!(fields.number("missing"), Ok(None));
    }

    #[test]
    fn a_text_field_of_the_wrong_type_is_named_not_quoted() {
        let json = parse(r#"{"secret": 12345678}"#).unwrap();
        let fields = Fields::of(&json).unwrap();
        assert_eq!(fields.text("secret"), Err("`secret` is not text".into()));
    }

    #[test]
    fn wiping_empties_every_string_in_place() {
        let mut value: Value =
            serde_json::from_str(r#"{"a": ["secret one", {"b": "secret two"}], "n": 3}"#).unwrap();
        wipe(&mut value);
        assert_eq!(value, serde_json::json!({"a": ["", {"b": ""}], "n": 3}));
    }
}
