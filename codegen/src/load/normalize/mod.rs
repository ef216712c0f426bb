//! Rewrites a parsed document, before its typed deserialization, into the subset lowering reads:
//! schema bounds openapiv3 can hold ([`numbers`]) and references straight to component entries
//! ([`refs`]). Linear in the size of the document.

mod chains;
mod names;
mod numbers;
pub(crate) mod pointer;
mod refs;
mod walk;

use crate::diagnostics::Diagnostics;
use serde_json::Value;

/// Normalizes a document in place; the errors if some of it cannot be (external references, cycles).
pub(crate) fn normalize(document: &mut Value) -> Result<(), Diagnostics> {
    let found = walk::walk(document);
    for tokens in &found.number_fixes {
        if let Some(Value::Object(schema)) = pointer::get_mut(document, tokens) {
            numbers::fix(schema);
        }
    }
    let errors = refs::normalize(document, &found.sites);
    match errors.is_empty() {
        true => Ok(()),
        false => Err(Diagnostics(errors)),
    }
}

#[cfg(test)]
mod tests;
