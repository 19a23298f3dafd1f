//! JSON values built by the engine and by every format that writes JSON.

/// A JSON object of `members`, in their order: what `serde_json::json!` builds from the same
/// members, through one compiled loop rather than an insertion compiled for each member (the
/// machine-read formats and the WebAssembly module's responses build many objects, and the
/// module carries them all).
pub fn object(members: &mut [(&str, serde_json::Value)]) -> serde_json::Value {
    serde_json::Value::Object(
        members
            .iter_mut()
            .map(|(key, value)| ((*key).to_owned(), value.take()))
            .collect(),
    )
}

/// `value` as JSON, as `serde_json::json!` writes a value it is given (null if it cannot be).
pub fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or_default()
}
