//! `$ref`s that lowering can follow: every reference ends up pointing straight at an entry of
//! `components.<section>` whenever the document allows it.
//!
//! - A reference to a node deeper in the document (`#/components/schemas/Disk/properties/fs`,
//!   `#/paths/~1me/put/responses/204`) *hoists* that node: it moves to a new entry of the section its
//!   position calls for, marked `x-origin: <where it was>`, and its old place becomes a `$ref` to the
//!   entry, so the old place and every reference share one definition.
//! - A reference to a reference is followed to the end (for schemas: to the first component entry,
//!   which lowering turns into a named alias). Circular chains are reported.
//! - A response that refers to a request body component (or the other way round, a slip real specs
//!   make) gets an entry of its own section with the same description and content, whose schemas
//!   are hoisted so that both share their types.
//! - References into other files are reported; dangling ones are left for lowering, which names them.
//! - A callback of an operation, which openapiv3 cannot read as a reference, is replaced by a copy of
//!   the callback it refers to (callbacks describe requests the server makes; the client ignores
//!   them), or dropped when that cannot be found.

use super::chains::{Chains, End, Mode, NodeId, Target};
use super::names::{self, Taken};
use super::pointer;
use super::walk::Site;
use crate::diagnostics::Diagnostic;
use crate::load::grammar::{kind_at, Kind};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Rewrites the references found at `sites` (in document order); returns the errors.
pub(crate) fn normalize(document: &mut Value, sites: &[Site]) -> Vec<Diagnostic> {
    let mut planner = Planner::new(document, sites);
    for site in sites {
        planner.site(site);
    }
    let Planner { plan, errors, .. } = planner;
    apply(document, plan);
    errors
}

/// What to change, in the original document's terms.
#[derive(Default)]
struct Plan {
    /// `$ref` objects (by position) and their new text.
    rewrites: Vec<(Vec<String>, String)>,
    /// Nodes to move: where, into which section, under which key; in the order the keys were given.
    hoists: Vec<(Vec<String>, &'static str, String)>,
    /// New entries made from a component of another kind: its position, section, key.
    adoptions: Vec<(Vec<String>, &'static str, String)>,
    /// Operation callbacks to replace by a copy of the node at the second position, or to drop.
    inlines: Vec<(Vec<String>, Option<Vec<String>>)>,
}

struct Planner<'d> {
    document: &'d Value,
    chains: Chains<'d>,
    /// Sections that can take new entries.
    writable: Vec<&'static str>,
    taken: Taken,
    /// Each node gets at most one new entry per section.
    moved: HashMap<(NodeId, &'static str), String>,
    plan: Plan,
    errors: Vec<Diagnostic>,
}

impl<'d> Planner<'d> {
    fn new(document: &'d Value, sites: &[Site]) -> Self {
        let mut taken = Taken::default();
        if let Some(Value::Object(components)) = document.get("components") {
            for (section, entries) in components {
                for key in entries.as_object().into_iter().flat_map(Map::keys) {
                    taken.take(section, key);
                }
            }
        }
        // A dangling `#/components/schemas/X` must not come to point at a new entry called X.
        for site in sites {
            if let Some([first, section, key]) = pointer::parse(&site.reference).as_deref() {
                if first == "components" {
                    taken.take(section, key);
                }
            }
        }
        Planner {
            document,
            chains: Chains::new(document),
            writable: writable_sections(document),
            taken,
            moved: HashMap::new(),
            plan: Plan::default(),
            errors: Vec::new(),
        }
    }

    fn site(&mut self, site: &Site) {
        if site.kind == Kind::Callback && in_operation(&site.tokens) {
            let copy = match self.chains.target(&site.reference) {
                Target::Node(start) => match self.chains.end(start, Mode::Full) {
                    End::Node(id) if self.chains.nodes[id].kind == Some(Kind::Callback) => {
                        Some(self.chains.nodes[id].tokens.clone())
                    }
                    _ => None,
                },
                _ => None,
            };
            self.plan.inlines.push((site.tokens.clone(), copy));
            return;
        }
        let start = match self.chains.target(&site.reference) {
            Target::Node(id) => id,
            Target::External => {
                self.errors.push(
                    Diagnostic::new(
                        pointer::format(&site.tokens),
                        format!(
                            "`$ref: {}` points into another document; external references are not supported",
                            site.reference
                        ),
                    )
                    .with_hint(
                        "bundle the spec into one document first, e.g. `npx @redocly/cli bundle spec.yaml -o bundled.yaml`",
                    ),
                );
                return;
            }
            Target::NotPointer | Target::Missing => return,
        };
        if let End::Cycle(c) = self.chains.end(start, Mode::Full) {
            self.errors.extend(self.chains.report_cycle(c));
            return;
        }
        let end = match site.kind {
            Kind::Schema => self.chains.end(start, Mode::Schema),
            _ => self.chains.end(start, Mode::Full),
        };
        let new = match end {
            End::Dangling(reference) => Some(reference),
            End::Cycle(_) => None,
            End::Node(id) => self.reference_to(id, site.kind),
        };
        if let Some(new) = new.filter(|new| *new != site.reference) {
            self.plan.rewrites.push((site.tokens.clone(), new));
        }
    }

    /// The `$ref` text that makes a use of kind `kind` point at node `id` through `components`.
    fn reference_to(&mut self, id: NodeId, kind: Kind) -> Option<String> {
        let node = &self.chains.nodes[id];
        let section = kind.section().filter(|s| self.writable.contains(s))?;
        if node.kind == Some(kind) {
            return Some(match node.direct {
                true => pointer::format(&node.tokens),
                false => self.hoist(id, section),
            });
        }
        let swapped = matches!(
            (node.kind, kind),
            (Some(Kind::RequestBody), Kind::Response) | (Some(Kind::Response), Kind::RequestBody)
        );
        (swapped && node.direct).then(|| self.adopt(id, kind, section))
    }

    /// The reference to the new entry for node `id`, planning the move on first use.
    fn hoist(&mut self, id: NodeId, section: &'static str) -> String {
        let key = match self.moved.get(&(id, section)) {
            Some(key) => key.clone(),
            None => {
                let tokens = self.chains.nodes[id].tokens.clone();
                let kind = self.chains.nodes[id].kind.unwrap_or(Kind::Schema);
                let key = self
                    .taken
                    .fresh(section, &names::base_name(self.document, &tokens, kind));
                self.plan.hoists.push((tokens, section, key.clone()));
                self.moved.insert((id, section), key.clone());
                key
            }
        };
        pointer::format(&["components", section, key.as_str()])
    }

    /// A response made from a request body component (or the reverse): a new entry whose content's
    /// schemas are shared with the original through hoisting.
    fn adopt(&mut self, id: NodeId, kind: Kind, section: &'static str) -> String {
        if let Some(key) = self.moved.get(&(id, section)) {
            return pointer::format(&["components", section, key.as_str()]);
        }
        let tokens = self.chains.nodes[id].tokens.clone();
        let document = self.document;
        if self.writable.contains(&"schemas") {
            let content = pointer::get(document, &tokens).and_then(|v| v.get("content"));
            for (media, value) in content.and_then(Value::as_object).into_iter().flatten() {
                let inline = value
                    .get("schema")
                    .is_some_and(|s| s.is_object() && s.get("$ref").is_none());
                if inline {
                    let mut schema = tokens.clone();
                    schema.extend(["content".to_owned(), media.clone(), "schema".to_owned()]);
                    let schema = self.chains.intern(schema);
                    self.hoist(schema, "schemas");
                }
            }
        }
        let key = self
            .taken
            .fresh(section, &names::base_name(document, &tokens, kind));
        self.plan.adoptions.push((tokens, section, key.clone()));
        self.moved.insert((id, section), key.clone());
        pointer::format(&["components", section, key.as_str()])
    }
}

/// Whether a callback is one of an operation's (not a component).
fn in_operation(tokens: &[String]) -> bool {
    tokens.len() >= 2
        && tokens[tokens.len() - 2] == "callbacks"
        && kind_at(&tokens[..tokens.len() - 2]) == Some(Kind::Operation)
}

/// The sections new entries can be added to: `components` and the section are mappings or absent.
fn writable_sections(document: &Value) -> Vec<&'static str> {
    const SECTIONS: [&str; 9] = [
        "schemas",
        "parameters",
        "requestBodies",
        "responses",
        "headers",
        "securitySchemes",
        "examples",
        "links",
        "callbacks",
    ];
    match document.get("components") {
        None => SECTIONS.to_vec(),
        Some(Value::Object(c)) => SECTIONS
            .into_iter()
            .filter(|s| c.get(*s).is_none_or(Value::is_object))
            .collect(),
        Some(_) => Vec::new(),
    }
}

/// Objects that carry `x-origin` (openapiv3 keeps their extensions; a callback has none).
const ORIGIN_SECTIONS: [&str; 5] = [
    "schemas",
    "parameters",
    "requestBodies",
    "responses",
    "headers",
];

fn reference(section: &str, key: &str) -> Value {
    let text = pointer::format(&["components", section, key]);
    Value::Object(Map::from_iter([("$ref".to_owned(), Value::String(text))]))
}

fn apply(document: &mut Value, plan: Plan) {
    for (tokens, text) in plan.rewrites {
        if let Some(Value::Object(m)) = pointer::get_mut(document, &tokens) {
            m.insert("$ref".to_owned(), Value::String(text));
        }
    }
    // Deepest first: a node inside another hoisted node moves before its parent, while every pointer
    // not yet used still names the node it named in the original document.
    let mut hoists = plan.hoists;
    hoists.sort_by_key(|(tokens, _, _)| std::cmp::Reverse(tokens.len()));
    for (tokens, section, key) in hoists {
        let Some(slot) = pointer::get_mut(document, &tokens) else {
            continue;
        };
        let mut value = std::mem::replace(slot, reference(section, &key));
        if let Value::Object(m) = &mut value {
            if ORIGIN_SECTIONS.contains(&section) {
                m.insert(
                    "x-origin".to_owned(),
                    Value::String(pointer::format(&tokens)),
                );
            }
        }
        if let Some(entries) = section_mut(document, section) {
            entries.insert(key, value);
        }
    }
    // After the hoists: the copied content refers to the hoisted schemas.
    for (tokens, section, key) in plan.adoptions {
        let Some(Value::Object(original)) = pointer::get(document, &tokens) else {
            continue;
        };
        let mut entry = Map::new();
        let description = original.get("description").cloned();
        entry.insert(
            "description".to_owned(),
            description.unwrap_or_else(|| Value::String(String::new())),
        );
        if let Some(content) = original.get("content") {
            entry.insert("content".to_owned(), content.clone());
        }
        entry.insert(
            "x-origin".to_owned(),
            Value::String(pointer::format(&tokens)),
        );
        if let Some(entries) = section_mut(document, section) {
            entries.insert(key, Value::Object(entry));
        }
    }
    inline_callbacks(document, plan.inlines);
}

/// Copies callbacks into operations, last: the copies carry every rewritten reference.
fn inline_callbacks(document: &mut Value, inlines: Vec<(Vec<String>, Option<Vec<String>>)>) {
    for (tokens, copy) in inlines {
        let value = copy.and_then(|from| pointer::get(document, &from).cloned());
        let Some((name, parent)) = tokens.split_last() else {
            continue;
        };
        if let Some(Value::Object(callbacks)) = pointer::get_mut(document, parent) {
            match value {
                Some(value) if value.get("$ref").is_none() => {
                    callbacks.insert(name.clone(), value);
                }
                _ => {
                    callbacks.shift_remove(name);
                }
            }
        }
    }
}

fn section_mut<'v>(document: &'v mut Value, section: &str) -> Option<&'v mut Map<String, Value>> {
    let components = document
        .as_object_mut()?
        .entry("components")
        .or_insert_with(|| Value::Object(Map::new()));
    components
        .as_object_mut()?
        .entry(section)
        .or_insert_with(|| Value::Object(Map::new()))
        .as_object_mut()
}
