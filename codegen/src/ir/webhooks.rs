//! `webhooks` (3.1) → [`Webhooks`]: each webhook's request body is typed as an operation's would be,
//! and the property whose value names the webhook in every payload (an `event_type: const ...`) is
//! found, when there is one.

use super::lower::{essence, is_json, is_text, resolve_component};
use super::names::{claim_unique, type_ident};
use super::prose::sanitize;
use super::schema::Schemas;
use super::{Decode, NameIndex, TypeKind, TypeRef, Webhook, Webhooks};
use crate::diagnostics::Pointer;
use indexmap::IndexMap;
use openapiv3::{Operation, PathItem};

/// The names the enum may take, in order of preference.
const ENUM_NAMES: [&str; 3] = ["Webhook", "WebhookPayload", "IncomingWebhook"];

/// Lowers every webhook (before the files-only-in-forms pass, which then sees the payload types).
pub(super) fn lower(s: &mut Schemas<'_>, webhooks: &IndexMap<String, PathItem>) -> Webhooks {
    if webhooks.is_empty() {
        return Webhooks::default();
    }
    let at = Pointer::root().push("webhooks");
    let mut variants = NameIndex::new();
    let mut events = Vec::with_capacity(webhooks.len());
    for (name, item) in webhooks {
        let item_at = at.push(name);
        let mut operations = item.iter();
        let Some((method, op)) = operations.next() else {
            s.sink
                .warn(&item_at, "this webhook has no operation; it is left out");
            continue;
        };
        if operations.next().is_some() {
            s.sink.warn(
                &item_at,
                format!("this webhook has several operations; its payload is the first one's (`{method}`)"),
            );
        }
        let variant = claim_unique(
            &mut variants,
            &mut s.sink,
            &type_ident(name),
            &item_at,
            "webhook variant name",
        );
        let (payload, decode) = payload(s, op, &item_at.push(method), &variant);
        events.push(Webhook {
            name: name.clone(),
            doc: doc(name, method, op),
            variant,
            payload,
            decode,
            tag: None,
        });
    }
    let enum_name = match ENUM_NAMES.iter().find(|n| !s.names.contains_key(**n)) {
        Some(free) => {
            s.names.insert((*free).to_owned(), at.to_string());
            (*free).to_owned()
        }
        None => claim_unique(&mut s.names, &mut s.sink, ENUM_NAMES[0], &at, "type name"),
    };
    let error_name = claim_unique(
        &mut s.names,
        &mut s.sink,
        &format!("{enum_name}ParseError"),
        &at,
        "type name",
    );
    Webhooks {
        enum_name,
        error_name,
        events,
        tag: None,
    }
}

/// The payload type and how it is read: JSON when the body offers it (typed), else text, else bytes.
fn payload(
    s: &mut Schemas<'_>,
    op: &Operation,
    at: &Pointer,
    variant: &str,
) -> (Option<TypeRef>, Decode) {
    let Some(body) = &op.request_body else {
        return (None, Decode::Empty);
    };
    let body_at = at.push("requestBody");
    let Some((body, body_at)) =
        resolve_component(s, body, &body_at, "requestBodies", |c| &c.request_bodies)
    else {
        return (None, Decode::Empty);
    };
    if let Some((media_type, media)) = body.content.iter().find(|(mt, _)| is_json(mt)) {
        let ty = match &media.schema {
            Some(schema) => {
                let schema_at = body_at.push("content").push(media_type).push("schema");
                let ty = s.type_ref(schema, &schema_at, &format!("{variant}Webhook"));
                // A file is only a multipart part; in JSON it is text.
                match ty {
                    TypeRef::File => TypeRef::String,
                    ty => ty,
                }
            }
            None => TypeRef::Json,
        };
        return (Some(ty), Decode::Json);
    }
    if body.content.keys().any(|mt| is_text(&essence(mt))) {
        (Some(TypeRef::String), Decode::Text)
    } else if body.content.is_empty() {
        (None, Decode::Empty)
    } else {
        (Some(TypeRef::Bytes), Decode::Bytes)
    }
}

/// The summary and description of the webhook's operation, and how it arrives.
fn doc(name: &str, method: &str, op: &Operation) -> String {
    let mut doc = String::new();
    for text in [&op.summary, &op.description].into_iter().flatten() {
        let text = sanitize(text);
        if !text.trim().is_empty() {
            doc.push_str(text.trim());
            doc.push_str("\n\n");
        }
    }
    doc.push_str(&format!(
        "The `{name}` webhook, sent as a `{}` request.",
        method.to_ascii_uppercase()
    ));
    doc
}

/// Finds the property every JSON payload has with a value of its own (a one-value enum, as `const`
/// becomes), and records each payload's value. Runs once the types are final.
pub(super) fn find_tag(s: &Schemas<'_>, webhooks: &mut Webhooks) {
    let events = &mut webhooks.events;
    if events.is_empty() || events.iter().any(|e| e.decode != Decode::Json) {
        return;
    }
    let Some(first) = events[0].payload.as_ref().and_then(|ty| fields(s, ty)) else {
        return;
    };
    let candidates: Vec<&str> = first.iter().map(|f| f.wire_name.as_str()).collect();
    for property in candidates {
        let values: Option<Vec<String>> = events
            .iter()
            .map(|e| single_value(s, e.payload.as_ref()?, property))
            .collect();
        let Some(values) = values else { continue };
        let distinct = values
            .iter()
            .enumerate()
            .all(|(i, v)| !values[..i].contains(v));
        if distinct {
            for (event, value) in events.iter_mut().zip(values) {
                event.tag = Some(value);
            }
            webhooks.tag = Some(property.to_owned());
            return;
        }
    }
}

/// The fields of the struct a type is (through aliases).
fn fields<'s>(s: &'s Schemas<'_>, ty: &TypeRef) -> Option<&'s [super::Field]> {
    match unaliased(s, ty)? {
        TypeKind::Struct(st) => Some(&st.fields),
        _ => None,
    }
}

/// The one value a required property of the payload's struct may have.
fn single_value(s: &Schemas<'_>, ty: &TypeRef, property: &str) -> Option<String> {
    let field = fields(s, ty)?
        .iter()
        .find(|f| f.wire_name == property && f.required && !f.nullable)?;
    match unaliased(s, &field.ty)? {
        TypeKind::Enum(e) if e.values.len() == 1 => Some(e.values[0].wire.clone()),
        _ => None,
    }
}

/// The kind of the named type a type is, through aliases.
fn unaliased<'s>(s: &'s Schemas<'_>, ty: &TypeRef) -> Option<&'s TypeKind> {
    let mut ty = ty;
    // A chain of aliases longer than the type list would be a cycle.
    for _ in 0..=s.types.len() {
        let TypeRef::Named(name) = ty else {
            return None;
        };
        let kind = &s.types.iter().find(|t| &t.name == name)?.kind;
        match kind {
            TypeKind::Alias(target, _) => ty = target,
            other => return Some(other),
        }
    }
    None
}
