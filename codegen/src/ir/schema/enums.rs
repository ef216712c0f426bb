//! String enums: wire values → unique Rust variant names.

use super::Schemas;
use crate::diagnostics::Pointer;
use crate::ir::names::variant_ident;
use crate::ir::prose::sanitize;
use crate::ir::{EnumValue, NameIndex};

impl Schemas<'_> {
    /// The values of a string enum, with Rust variant names that are unique: a clash after case
    /// conversion (`a-b` and `a_b`, `Foo` and `foo`) is resolved by numbering in spec order, `""` is
    /// `Empty`, and a value listed twice is kept once, with a warning.
    pub(crate) fn enum_values(
        &mut self,
        values: &[String],
        docs: &[(String, String)],
        at: &Pointer,
    ) -> Vec<EnumValue> {
        let mut used = NameIndex::new();
        let mut out = Vec::with_capacity(values.len());
        for (i, wire) in values.iter().enumerate() {
            if out.iter().any(|v: &EnumValue| &v.wire == wire) {
                self.warn_once(
                    &at.push("enum").push(i.to_string()),
                    format!("`{wire}` is listed twice; it is one variant"),
                );
                continue;
            }
            let base = match variant_ident(wire) {
                name if name.is_empty() => "Empty".to_owned(),
                name if name == "Unknown" => "UnknownValue".to_owned(), // the fallback's name
                name => name,
            };
            let mut variant = base.clone();
            let mut n = 2;
            while used.contains_key(&variant) {
                variant = format!("{base}{n}");
                n += 1;
            }
            used.insert(variant.clone(), String::new());
            let doc = docs
                .iter()
                .find(|(k, _)| k == wire)
                .map(|(_, d)| sanitize(d))
                .unwrap_or_default();
            out.push(EnumValue {
                wire: wire.clone(),
                variant,
                doc,
            });
        }
        out
    }
}
