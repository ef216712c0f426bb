//! OpenAPI 3.1 → the 3.0 model the rest of the generator reads, as rewrites of the JSON tree.
//!
//! openapiv3 (and so lowering) models OpenAPI 3.0. A 3.1 document differs mostly in its schema
//! language (JSON Schema 2020-12), and in a few document-level objects. This stage rewrites each
//! 3.1 construct into the 3.0 form that means the same, in one pass over the tree, before `$ref`s are
//! normalized and the tree is deserialized:
//!
//! | 3.1                                        | becomes                                                  |
//! |--------------------------------------------|----------------------------------------------------------|
//! | `type: [T, "null"]`                        | `type: T, nullable: true`                                |
//! | `type: [A, B]`                             | `anyOf` of one branch per type, each with its keywords   |
//! | `const: v`                                 | `enum: [v]`                                              |
//! | `oneOf` of `const`s                        | one `enum`, titles and descriptions kept per value       |
//! | `examples: [..]`                           | `example` (the first)                                    |
//! | numeric `exclusiveMinimum`/`Maximum`       | `minimum`/`maximum` (+ the 3.0 boolean, or ±1 for integers) |
//! | `prefixItems`                              | `items: {anyOf: [..]}` marked as a tuple ([`TUPLE`])     |
//! | `contentEncoding: base64`                  | `format: byte`                                           |
//! | binary `contentMediaType`                  | `format: binary`                                         |
//! | `patternProperties`, `unevaluatedProperties`, `propertyNames` | `additionalProperties`               |
//! | `$ref` with siblings                       | `allOf: [{$ref}]` with the siblings beside it            |
//! | `true` / `false` schemas                   | `{}` / `{not: {}}` (a `false` property is dropped)       |
//! | `$schema`, `$id`, `$comment`, `$anchor`     | dropped                                                  |
//! | `$dynamicRef`, `if`/`then`/`else`, `dependentSchemas` | any JSON value, with a warning                |
//! | operations without `responses`, a document without `paths` | empty ones                            |
//! | `mutualTLS` security schemes               | dropped, with a warning                                  |
//! | `info.summary`                             | the first paragraph of the description                   |
//!
//! `$defs` stay where they are (the loader's grammar knows them, so references into them are
//! followed like any other deep reference), and `webhooks` and `components.pathItems` are read after
//! normalization (`path_items`, `webhooks`).
//!
//! Rewrites happen top-down (a node before its children), so every moved subtree is recorded once,
//! at its final place, in [`Moves`]: diagnostics name the place the author wrote.

mod document;
mod keywords;
pub mod moves;
pub(crate) mod path_items;
mod schema;
mod siblings;
mod tuples;
mod types;
mod walk;
pub(crate) mod webhooks;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::normalize::pointer;
use moves::Moves;
use serde_json::Value;

/// The extension marking an array schema whose `items` is an `anyOf` of the elements of a tuple
/// (from `prefixItems`), in order.
pub const TUPLE: &str = "x-codegen-tuple";

/// What the stage did, besides rewriting the tree.
#[derive(Debug, Default)]
pub(crate) struct Upgraded {
    /// Where moved subtrees were.
    pub moves: Moves,
    /// What was worked around (fallbacks), at the places as written.
    pub warnings: Vec<Diagnostic>,
}

/// Rewrites a 3.1 document into the 3.0 model in place; the errors if it says something impossible
/// (a type array naming an unknown type, a `const` its `type` does not allow).
pub(crate) fn upgrade(document: &mut Value) -> Result<Upgraded, Diagnostics> {
    let mut stage = Stage::default();
    document::rewrite(&mut stage, document);
    walk::walk(&mut stage, document);
    walk::retarget(&mut stage, document);
    match stage.errors.is_empty() {
        true => Ok(Upgraded {
            moves: stage.moves,
            warnings: stage.warnings,
        }),
        false => Err(Diagnostics(stage.errors)),
    }
}

/// The state of one pass.
#[derive(Default)]
pub(crate) struct Stage {
    moves: Moves,
    warnings: Vec<Diagnostic>,
    errors: Vec<Diagnostic>,
    /// The `$ref` objects seen (their tokens), to point again once every node is where it ends up.
    refs: Vec<Vec<String>>,
}

impl Stage {
    /// The pointer, as written, of the node now at `tokens`.
    fn original(&self, tokens: &[String]) -> String {
        self.moves.original(&pointer::format(tokens))
    }

    /// The original pointer of `tokens` followed by `more`.
    fn original_of(&self, tokens: &[String], more: &[&str]) -> String {
        let mut pointer = self.original(tokens);
        for token in more {
            pointer.push_str(&pointer::format(&[token])[1..]);
        }
        pointer
    }

    fn warn(&mut self, tokens: &[String], more: &[&str], message: impl Into<String>) {
        let at = self.original_of(tokens, more);
        self.warnings.push(Diagnostic::warning(at, message));
    }

    fn error(
        &mut self,
        tokens: &[String],
        more: &[&str],
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        let at = self.original_of(tokens, more);
        self.errors
            .push(Diagnostic::new(at, message).with_hint(hint));
    }

    /// Records that the subtree at `node` + `was` (relative tokens, before the rewrite) is now at
    /// `node` + `now`.
    fn moved(&mut self, node: &[String], now: &[&str], was: &[&str]) {
        let mut to = node.to_vec();
        to.extend(now.iter().map(|t| (*t).to_owned()));
        let from = self.original_of(node, was);
        self.moves.moved(pointer::format(&to), from);
    }
}

#[cfg(test)]
mod tests;
