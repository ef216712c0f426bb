//! A schema that is a multipart form in one place and JSON in another (an operation accepting both,
//! as OpenAI's and Discord's do with one schema for both media types). The form struct has no serde
//! impls of its own; when it holds no file, `emit` gives it both (see `emit::types`); when it holds a
//! file, which has no JSON form, the JSON use becomes any JSON value, with a warning.

use super::Schemas;
use crate::diagnostics::Pointer;
use crate::ir::{BodyEncoding, Operation, TypeDef, TypeKind, TypeRef};

impl Schemas<'_> {
    /// Replaces the JSON (or URL-encoded) uses of form structs that hold files, in operation bodies
    /// and in the variants of body choices.
    pub(crate) fn json_uses_of_file_forms(&mut self, operations: &mut [Operation]) {
        let mut replaced: Vec<(Pointer, String)> = Vec::new();
        for op in operations.iter_mut() {
            let name = match &op.body {
                Some(body)
                    if body.encoding != BodyEncoding::Multipart
                        && is_file_form(&self.types, &body.ty) =>
                {
                    type_name(&body.ty)
                }
                _ => continue,
            };
            replaced.push((body_pointer(op), name));
            if let Some(body) = &mut op.body {
                body.ty = TypeRef::Json;
            }
        }
        let choices: Vec<usize> = (0..self.types.len())
            .filter(|&i| matches!(self.types[i].kind, TypeKind::BodyChoice(_)))
            .collect();
        for i in choices {
            let file_forms: Vec<usize> = match &self.types[i].kind {
                TypeKind::BodyChoice(variants) => variants
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| {
                        v.encoding != BodyEncoding::Multipart && is_file_form(&self.types, &v.ty)
                    })
                    .map(|(j, _)| j)
                    .collect(),
                _ => Vec::new(),
            };
            let at = Pointer::from_raw(self.types[i].pointer.clone());
            if let TypeKind::BodyChoice(variants) = &mut self.types[i].kind {
                for j in file_forms {
                    replaced.push((at.clone(), type_name(&variants[j].ty)));
                    variants[j].ty = TypeRef::Json;
                }
            }
        }
        for (at, name) in replaced {
            self.warn_once(
                &at,
                format!("`{name}` is also a multipart body holding files, which have no JSON form; as a JSON body it is a `serde_json::Value`"),
            );
        }
    }
}

/// Whether the type is a form struct with a file among its fields.
fn is_file_form(types: &[TypeDef], ty: &TypeRef) -> bool {
    let TypeRef::Named(name) = ty else {
        return false;
    };
    types.iter().any(|t| {
        &t.name == name
            && matches!(&t.kind, TypeKind::Struct(s) if s.form && s.fields.iter().any(|f| super::contains_file(&f.ty)))
    })
}

fn type_name(ty: &TypeRef) -> String {
    match ty {
        TypeRef::Named(n) => n.clone(),
        _ => String::new(),
    }
}

/// Where an operation's body is, for the warning: its method on its path.
fn body_pointer(op: &Operation) -> Pointer {
    Pointer::root()
        .push("paths")
        .push(&op.path)
        .push(op.method.as_str().to_ascii_lowercase())
        .push("requestBody")
}
