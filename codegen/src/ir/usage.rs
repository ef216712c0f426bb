//! Which named types need `Deserialize`: those the client receives.
//!
//! A decoding impl is most of the code rustc checks for a generated type, so a type only sent (a request
//! body, a parameter, or inside one) goes without. A type no operation reaches (a schema kept for
//! webhooks or for the caller's own use) keeps it, as does everything inside such a type: how it is used
//! is not known. Every type implements `Serialize`, which is cheap and lets callers log or forward what
//! they receive.

use super::{Api, TypeKind, TypeRef};
use std::collections::{BTreeMap, BTreeSet};

/// The named types that need `Deserialize`.
#[derive(Debug, Clone, Default)]
pub struct Usage {
    deserialized: BTreeSet<String>,
}

impl Usage {
    /// Walks every operation's parameters and body (sent) and responses (received) through the type
    /// graph.
    pub fn of(api: &Api) -> Usage {
        let index: BTreeMap<&str, &TypeKind> = api
            .types
            .iter()
            .map(|t| (t.name.as_str(), &t.kind))
            .collect();
        let mut sent = Walk::new(&index);
        let mut received = Walk::new(&index);
        for op in &api.operations {
            for field in &op.path_params {
                sent.visit(&field.ty);
            }
            for field in op.query.iter().flat_map(|q| &q.params) {
                sent.visit(&field.ty);
            }
            if let Some(body) = &op.body {
                sent.visit(&body.ty);
            }
            if let Some(success) = &op.success {
                received.visit(success);
            }
            received.visit(&op.error);
            // The data of server-sent events offered besides the body (`{op}_events`).
            if let Some(events) = &op.events {
                received.visit(events);
            }
            for case in &op.responses {
                if let Some(body) = &case.body {
                    received.visit(body);
                }
            }
        }
        // A webhook's payload is received (by the caller's server).
        for payload in api
            .webhooks
            .events
            .iter()
            .filter_map(|w| w.payload.as_ref())
        {
            received.visit(payload);
        }
        let unused: Vec<&str> = api
            .types
            .iter()
            .map(|t| t.name.as_str())
            .filter(|name| !sent.seen.contains(name) && !received.seen.contains(name))
            .collect();
        for name in unused {
            received.visit_named(name);
        }
        Usage {
            deserialized: received.seen.into_iter().map(str::to_owned).collect(),
        }
    }

    /// Whether the type called `name` is received (or not used by any operation).
    pub fn deserialized(&self, name: &str) -> bool {
        self.deserialized.contains(name)
    }
}

/// A depth-first walk from some roots through named types, remembering each name once.
struct Walk<'a> {
    index: &'a BTreeMap<&'a str, &'a TypeKind>,
    seen: BTreeSet<&'a str>,
}

impl<'a> Walk<'a> {
    fn new(index: &'a BTreeMap<&'a str, &'a TypeKind>) -> Self {
        Walk {
            index,
            seen: BTreeSet::new(),
        }
    }

    fn visit(&mut self, ty: &'a TypeRef) {
        self.walk(vec![ty], Vec::new());
    }

    fn visit_named(&mut self, name: &'a str) {
        if self.seen.insert(name) {
            self.walk(Vec::new(), vec![name]);
        }
    }

    /// Explicit stacks: recursion would go as deep as the type graph.
    fn walk(&mut self, mut stack: Vec<&'a TypeRef>, mut named: Vec<&'a str>) {
        loop {
            while let Some(ty) = stack.pop() {
                match ty {
                    TypeRef::Named(name) => {
                        if let Some((&key, _)) = self.index.get_key_value(name.as_str()) {
                            if self.seen.insert(key) {
                                named.push(key);
                            }
                        }
                    }
                    TypeRef::Vec(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => {
                        stack.push(inner)
                    }
                    TypeRef::Tuple(items) => stack.extend(items),
                    _ => {}
                }
            }
            let Some(name) = named.pop() else { return };
            let Some(kind) = self.index.get(name) else {
                continue;
            };
            match kind {
                TypeKind::Struct(s) => {
                    stack.extend(s.fields.iter().map(|f| &f.ty));
                    stack.extend(s.additional.iter().map(|a| &a.ty));
                }
                TypeKind::Alias(target, _) => stack.push(target),
                TypeKind::Enum(_) => {}
                TypeKind::OneOf(union) => stack.extend(union.variants.iter().map(|v| &v.ty)),
                TypeKind::BodyChoice(variants) => stack.extend(variants.iter().map(|v| &v.ty)),
                TypeKind::Responses(variants) => {
                    stack.extend(variants.iter().filter_map(|v| v.ty.as_ref()))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Usage;

    const SPEC: &str = r#"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /things:
    post:
      operationId: makeThing
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/NewThing'}
      responses:
        '200':
          description: made
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Thing'}
        default:
          description: failed
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Failure'}
components:
  schemas:
    NewThing:
      type: object
      properties:
        label: {$ref: '#/components/schemas/Label'}
        owner: {$ref: '#/components/schemas/Owner'}
    Thing:
      type: object
      properties:
        owner: {$ref: '#/components/schemas/Owner'}
        parts: {type: array, items: {$ref: '#/components/schemas/Part'}}
    Label: {type: object, properties: {text: {type: string}}}
    Owner: {type: object, properties: {name: {type: string}}}
    Part: {type: object, properties: {n: {type: integer}}}
    Failure: {type: object, properties: {message: {type: string}}}
    Loose: {type: object, properties: {inner: {$ref: '#/components/schemas/LooseInner'}}}
    LooseInner: {type: object, properties: {x: {type: string}}}
"#;

    #[test]
    fn deserialize_goes_to_received_and_unused_types_and_all_they_reach() {
        let api = crate::ir::lower(&crate::load::load(SPEC).expect("loads")).expect("lowers");
        let usage = Usage::of(&api);
        // Received (success and error answers), and what they contain, through arrays too.
        for name in ["Thing", "Owner", "Part", "Failure"] {
            assert!(usage.deserialized(name), "{name}");
        }
        // Used by no operation: it might be read from anywhere.
        assert!(usage.deserialized("Loose"));
        assert!(usage.deserialized("LooseInner"));
        // Only sent.
        assert!(!usage.deserialized("NewThing"));
        assert!(!usage.deserialized("Label"));
    }
}
