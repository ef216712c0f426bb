//! `webhooks` (3.1): taken out of the document after normalization and read as path items, which
//! openapiv3's `OpenAPI` has no place for.

use crate::diagnostics::{Diagnostic, Pointer};
use crate::load::grammar::Kind;
use crate::load::locate;
use crate::load::version::describe;
use indexmap::IndexMap;
use openapiv3::PathItem;
use serde::Deserialize;
use serde_json::Value;

/// Removes `webhooks` from the document and reads each entry; the diagnostic of the first that does
/// not read.
pub(crate) fn take(document: &mut Value) -> Result<IndexMap<String, PathItem>, Diagnostic> {
    let Some(webhooks) = document.as_object_mut().and_then(|m| m.remove("webhooks")) else {
        return Ok(IndexMap::new());
    };
    let at = Pointer::root().push("webhooks");
    let Value::Object(entries) = webhooks else {
        return Err(Diagnostic::new(
            at.as_str(),
            format!(
                "`webhooks` must be a mapping of webhook names to path items, not {}",
                describe(&webhooks)
            ),
        ));
    };
    let mut out = IndexMap::with_capacity(entries.len());
    for (name, item) in entries {
        if name.starts_with("x-") {
            continue;
        }
        match PathItem::deserialize(&item) {
            Ok(read) => {
                out.insert(name, read);
            }
            Err(_) => return Err(locate::diagnose_at(&item, at.push(&name), Kind::PathItem)),
        }
    }
    Ok(out)
}
