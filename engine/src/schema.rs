//! Compiling the JSON Schemas shipped in `schemas/` (the `jsonschema` feature; without it,
//! facts are checked by `facts::validate::lite`).

use serde_json::Value;

/// Compiles a schema's text, with `format` checked (dates, date-times).
pub(crate) fn compile(text: &str) -> Result<jsonschema::Validator, String> {
    let schema: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    compile_value(&schema)
}

/// Compiles a schema document, with `format` checked (dates, date-times).
pub(crate) fn compile_value(schema: &Value) -> Result<jsonschema::Validator, String> {
    jsonschema::options()
        .should_validate_formats(true)
        .build(schema)
        .map_err(|e| e.to_string())
}
