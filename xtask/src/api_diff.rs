//! What changed in the generated API, at the level a reviewer (and the changelog) cares about:
//! operations and types added, removed or changed.
//!
//! Both the files on disk and the freshly generated ones are valid Rust, so both are parsed with `syn`
//! and compared item by item, by name:
//!
//! - **operations** are the methods of `impl crate::Client` blocks in `operations.rs` (the `*_stream`
//!   page walkers included: they are client methods too);
//! - **types** are the `struct`, `enum` and `type` items of `types.rs`, together with the impls that
//!   belong to them: constructors and conversions in `types.rs` ("impls"), the checks run before a
//!   request is sent in `validate.rs` ("validation").
//!
//! An item "changed" when its tokens differ. The comparison also says how: the signature, the
//! implementation, the fields or variants, or only the docs (which is a patch-level change; see
//! CHANGELOG.md's conventions).

use openapi_client_gen::report::{Style, GREEN, RED, YELLOW};
use proc_macro2::{Group, TokenStream, TokenTree};
use quote::ToTokens;
use std::collections::HashMap;
use std::fmt;
use std::fmt::Write as _;

/// The generated file holding the client's methods.
pub const OPERATIONS_FILE: &str = "operations.rs";
/// The generated file holding the types.
pub const TYPES_FILE: &str = "types.rs";
/// The generated file holding the request checks (impls of the types).
pub const CHECKS_FILE: &str = "checks.rs";
/// The generated files the API comparison reads.
pub const FILES: [&str; 3] = [OPERATIONS_FILE, TYPES_FILE, CHECKS_FILE];

/// What kind of API item changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ItemKind {
    /// A method of the client.
    Operation,
    /// A struct, enum or type alias.
    Type,
}

impl fmt::Display for ItemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ItemKind::Operation => "operation",
            ItemKind::Type => "type",
        })
    }
}

/// How an item changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// New in the generated code.
    Added,
    /// In both, with different tokens; the text says what differs, e.g. `signature changed` or
    /// `docs only`.
    Changed(String),
    /// On disk, but no longer generated.
    Removed,
}

impl Change {
    /// `+`, `~` or `-`.
    pub fn sigil(&self) -> char {
        match self {
            Change::Added => '+',
            Change::Changed(_) => '~',
            Change::Removed => '-',
        }
    }
}

/// One operation or type that was added, removed or changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiChange {
    /// Operation or type.
    pub kind: ItemKind,
    /// The method or type name, e.g. `list_orders` or `ReactionRequest`.
    pub name: String,
    /// What happened to it.
    pub change: Change,
}

impl fmt::Display for ApiChange {
    /// `+ operation send_reaction_message`, `~ type Contact (fields +nickname; docs changed)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.change.sigil(), self.kind, self.name)?;
        if let Change::Changed(how) = &self.change {
            write!(f, " ({how})")?;
        }
        Ok(())
    }
}

/// A generated file that is not valid Rust, so its items cannot be compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// The file name, e.g. `types.rs`.
    pub file: String,
    /// syn's message.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} is not valid Rust ({})", self.file, self.message)
    }
}

impl std::error::Error for ParseError {}

/// The operations and types of one version of the generated module, ready to compare.
#[derive(Debug, Default, Clone)]
pub struct Api {
    operations: Vec<(String, Operation)>,
    types: Vec<(String, TypeDef)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Operation {
    /// Attributes (docs removed), visibility and signature.
    signature: String,
    /// The body.
    body: String,
    /// Every doc attribute.
    docs: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct TypeDef {
    /// `struct`, `enum` or `type alias`.
    kind: &'static str,
    /// The item without docs and without its fields or variants: attributes, generics, alias target.
    shell: String,
    /// `field` or `variant`.
    member_kind: &'static str,
    /// Each field or variant.
    members: Vec<Member>,
    /// The impls of the type in `types.rs` (constructors, conversions), without docs, in file order.
    impls: Vec<String>,
    /// The impls of the type in `validate.rs` (the checks run before a request is sent).
    validation: Vec<String>,
    /// The doc attributes of the impls.
    impl_docs: String,
    /// The item's own doc attributes.
    docs: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Member {
    name: String,
    /// Without docs.
    tokens: String,
    docs: String,
}

impl Member {
    fn new(name: String, node: &impl ToTokens) -> Self {
        let (tokens, docs) = split_docs(node.to_token_stream());
        Member {
            name,
            tokens: tokens.to_string(),
            docs,
        }
    }
}

impl Api {
    /// Reads the items of generated files given as `(file name, text)`. Files other than
    /// [`FILES`] are ignored; a missing file counts as empty.
    pub fn parse<'a>(
        files: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Api, ParseError> {
        let mut api = Api::default();
        let mut impls: Vec<(String, bool, syn::ItemImpl)> = Vec::new();
        for (name, text) in files {
            if !FILES.contains(&name) {
                continue;
            }
            let file = syn::parse_file(text).map_err(|e| ParseError {
                file: name.to_owned(),
                message: e.to_string(),
            })?;
            for item in file.items {
                match (name, item) {
                    (OPERATIONS_FILE, syn::Item::Impl(imp)) if is_client(&imp) => {
                        for item in imp.items {
                            if let syn::ImplItem::Fn(method) = item {
                                api.operations
                                    .push((method.sig.ident.to_string(), Operation::new(method)));
                            }
                        }
                    }
                    (TYPES_FILE, syn::Item::Struct(s)) => {
                        api.types
                            .push((s.ident.to_string(), TypeDef::from_struct(s)));
                    }
                    (TYPES_FILE, syn::Item::Enum(e)) => {
                        api.types.push((e.ident.to_string(), TypeDef::from_enum(e)));
                    }
                    (TYPES_FILE, syn::Item::Type(t)) => {
                        api.types
                            .push((t.ident.to_string(), TypeDef::from_alias(t)));
                    }
                    (TYPES_FILE | CHECKS_FILE, syn::Item::Impl(imp)) => {
                        if let Some(owner) = self_type_name(&imp) {
                            impls.push((owner, name == CHECKS_FILE, imp));
                        }
                    }
                    _ => {}
                }
            }
        }
        let index: HashMap<String, usize> = api
            .types
            .iter()
            .enumerate()
            .map(|(i, (name, _))| (name.clone(), i))
            .collect();
        for (owner, validation, imp) in impls {
            if let Some(&i) = index.get(&owner) {
                let (tokens, docs) = split_docs(imp.to_token_stream());
                let ty = &mut api.types[i].1;
                if validation {
                    ty.validation.push(tokens.to_string());
                } else {
                    ty.impls.push(tokens.to_string());
                }
                ty.impl_docs.push_str(&docs);
            }
        }
        Ok(api)
    }

    /// Number of operations (client methods).
    pub fn operations(&self) -> usize {
        self.operations.len()
    }

    /// Number of types.
    pub fn types(&self) -> usize {
        self.types.len()
    }
}

/// What changed from `old` to `new`: operations first, then types; within each, added, changed,
/// then removed (the order of Keep a Changelog's sections), each in file order.
pub fn diff(old: &Api, new: &Api) -> Vec<ApiChange> {
    let mut out = diff_items(
        ItemKind::Operation,
        &old.operations,
        &new.operations,
        describe_operation,
    );
    out.extend(diff_items(
        ItemKind::Type,
        &old.types,
        &new.types,
        describe_type,
    ));
    out
}

fn diff_items<T: PartialEq>(
    kind: ItemKind,
    old: &[(String, T)],
    new: &[(String, T)],
    describe: fn(&T, &T) -> String,
) -> Vec<ApiChange> {
    let old_by_name: HashMap<&str, &T> = old.iter().map(|(n, t)| (n.as_str(), t)).collect();
    let new_by_name: HashMap<&str, &T> = new.iter().map(|(n, t)| (n.as_str(), t)).collect();
    let change = |name: &str, change| ApiChange {
        kind,
        name: name.to_owned(),
        change,
    };
    let mut added = Vec::new();
    let mut changed = Vec::new();
    for (name, item) in new {
        match old_by_name.get(name.as_str()) {
            None => added.push(change(name, Change::Added)),
            Some(before) if *before != item => {
                changed.push(change(name, Change::Changed(describe(before, item))));
            }
            Some(_) => {}
        }
    }
    let removed = old
        .iter()
        .filter(|(name, _)| !new_by_name.contains_key(name.as_str()))
        .map(|(name, _)| change(name, Change::Removed));
    added.into_iter().chain(changed).chain(removed).collect()
}

impl Operation {
    fn new(method: syn::ImplItemFn) -> Self {
        let syn::ImplItemFn {
            attrs,
            vis,
            modifiers,
            sig,
            block,
        } = method;
        let defaultness = modifiers.defaultness;
        let (signature, docs) = split_docs(quote::quote!(#(#attrs)* #vis #defaultness #sig));
        let (body, _) = split_docs(block.to_token_stream());
        Operation {
            signature: signature.to_string(),
            body: body.to_string(),
            docs,
        }
    }
}

impl TypeDef {
    fn from_struct(mut item: syn::ItemStruct) -> Self {
        let members = match &item.fields {
            syn::Fields::Named(fields) => fields
                .named
                .iter()
                .map(|f| Member::new(ident_or_empty(f.ident.as_ref()), f))
                .collect(),
            syn::Fields::Unnamed(fields) => fields
                .unnamed
                .iter()
                .enumerate()
                .map(|(i, f)| Member::new(i.to_string(), f))
                .collect(),
            syn::Fields::Unit => Vec::new(),
        };
        // The shell keeps whether the struct has named, tuple or no fields, but not the fields.
        match &mut item.fields {
            syn::Fields::Named(f) => f.named.clear(),
            syn::Fields::Unnamed(f) => f.unnamed.clear(),
            syn::Fields::Unit => {}
        }
        TypeDef::new("struct", &item, "field", members)
    }

    fn from_enum(mut item: syn::ItemEnum) -> Self {
        let members = item
            .variants
            .iter()
            .map(|v| Member::new(v.ident.to_string(), v))
            .collect();
        item.variants.clear();
        TypeDef::new("enum", &item, "variant", members)
    }

    fn from_alias(item: syn::ItemType) -> Self {
        TypeDef::new("type alias", &item, "field", Vec::new())
    }

    /// `shell` is the item with its members taken out.
    fn new(
        kind: &'static str,
        shell: &impl ToTokens,
        member_kind: &'static str,
        members: Vec<Member>,
    ) -> Self {
        let (shell, docs) = split_docs(shell.to_token_stream());
        TypeDef {
            kind,
            shell: shell.to_string(),
            member_kind,
            members,
            impls: Vec::new(),
            validation: Vec::new(),
            impl_docs: String::new(),
            docs,
        }
    }

    /// Whether docs of the item, of a member both have, or of unchanged impls differ: the docs of
    /// an added member are part of adding it.
    fn docs_differ(&self, other: &TypeDef) -> bool {
        self.docs != other.docs
            || (self.impls == other.impls
                && self.validation == other.validation
                && self.impl_docs != other.impl_docs)
            || self.members.iter().any(|m| {
                other
                    .members
                    .iter()
                    .any(|o| o.name == m.name && o.docs != m.docs)
            })
    }
}

fn describe_operation(old: &Operation, new: &Operation) -> String {
    let mut what = Vec::new();
    if old.signature != new.signature {
        what.push("signature");
    }
    if old.body != new.body {
        what.push("implementation");
    }
    changed_phrase(what, old.docs != new.docs)
}

fn describe_type(old: &TypeDef, new: &TypeDef) -> String {
    if old.kind != new.kind {
        let article = |kind: &str| if kind.starts_with('e') { "an" } else { "a" };
        return format!(
            "was {} {}, now {} {}",
            article(old.kind),
            old.kind,
            article(new.kind),
            new.kind
        );
    }
    let mut parts = Vec::new();
    let members = member_changes(&old.members, &new.members);
    if !members.is_empty() {
        parts.push(format!("{}s {}", new.member_kind, members.join(", ")));
    }
    let mut what = Vec::new();
    if old.shell != new.shell {
        what.push("definition");
    }
    if old.impls != new.impls {
        what.push("impls");
    }
    if old.validation != new.validation {
        what.push("validation");
    }
    let docs = old.docs_differ(new);
    if parts.is_empty() || !what.is_empty() || docs {
        if !parts.is_empty() && what.is_empty() {
            // Fields changed and docs changed: "fields +a; docs changed", never "docs only".
            parts.push("docs changed".to_owned());
        } else {
            parts.push(changed_phrase(what, docs));
        }
    }
    parts.join("; ")
}

/// `signature changed`, `signature and docs changed`, `docs only`.
fn changed_phrase(mut what: Vec<&str>, docs: bool) -> String {
    if what.is_empty() {
        return if docs { "docs only" } else { "tokens changed" }.to_owned();
    }
    if docs {
        what.push("docs");
    }
    let list = match what.split_last() {
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    };
    format!("{list} changed")
}

/// `+name`, `-name`, `~name` for each field or variant added, removed or changed (docs aside).
fn member_changes(old: &[Member], new: &[Member]) -> Vec<String> {
    let old_by_name: HashMap<&str, &str> = old
        .iter()
        .map(|m| (m.name.as_str(), m.tokens.as_str()))
        .collect();
    let mut out = Vec::new();
    for m in new {
        match old_by_name.get(m.name.as_str()) {
            None => out.push(format!("+{}", m.name)),
            Some(before) if *before != m.tokens => out.push(format!("~{}", m.name)),
            Some(_) => {}
        }
    }
    for m in old {
        if !new.iter().any(|n| n.name == m.name) {
            out.push(format!("-{}", m.name));
        }
    }
    out
}

fn is_client(imp: &syn::ItemImpl) -> bool {
    imp.trait_.is_none() && self_type_name(imp).as_deref() == Some("Client")
}

/// `Foo` for `impl Foo`, `impl Trait for super::types::Foo`, `impl super::Client`.
fn self_type_name(imp: &syn::ItemImpl) -> Option<String> {
    match &*imp.self_ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

fn ident_or_empty(ident: Option<&syn::Ident>) -> String {
    ident.map(ToString::to_string).unwrap_or_default()
}

/// The tokens without their doc attributes (`#[doc = ...]`, which is what `///` becomes), and the
/// doc attributes' text, at every depth.
fn split_docs(tokens: TokenStream) -> (TokenStream, String) {
    let mut docs = String::new();
    let stripped = strip(tokens, &mut docs);
    (stripped, docs)
}

fn strip(tokens: TokenStream, docs: &mut String) -> TokenStream {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        if let TokenTree::Punct(p) = &tokens[i] {
            if p.as_char() == '#' {
                // `#[doc ...]` or `#![doc ...]`.
                let bang =
                    matches!(tokens.get(i + 1), Some(TokenTree::Punct(b)) if b.as_char() == '!');
                let at = if bang { i + 2 } else { i + 1 };
                if let Some(TokenTree::Group(g)) = tokens.get(at) {
                    if is_doc_attribute(g) {
                        docs.push_str(&g.stream().to_string());
                        docs.push('\n');
                        i = at + 1;
                        continue;
                    }
                }
            }
        }
        out.push(match &tokens[i] {
            TokenTree::Group(g) => {
                let mut inner = Group::new(g.delimiter(), strip(g.stream(), docs));
                inner.set_span(g.span());
                TokenTree::Group(inner)
            }
            other => other.clone(),
        });
        i += 1;
    }
    out.into_iter().collect()
}

fn is_doc_attribute(group: &Group) -> bool {
    group.delimiter() == proc_macro2::Delimiter::Bracket
        && matches!(group.stream().into_iter().next(), Some(TokenTree::Ident(i)) if i == "doc")
}

/// One indented line per change, `+` in green, `~` in yellow, `-` in red.
pub fn render_changes(changes: &[ApiChange], style: Style) -> String {
    let mut out = String::new();
    for change in changes {
        let text = change.to_string();
        let (sigil, rest) = text.split_at(1);
        let color = match change.change {
            Change::Added => GREEN,
            Change::Changed(_) => YELLOW,
            Change::Removed => RED,
        };
        let _ = writeln!(out, "  {}{rest}", style.paint(color, sigil));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPS: &str = r#"
impl crate::Client {
    /// Lists orders.
    pub async fn list_orders(&self, query: &Q) -> R<Vec<Order>> { self.get("/orders", query).await }
    /// Gets one order.
    pub async fn get_order(&self, id: i64) -> R<Order> { self.get(&format!("/orders/{id}"), &()).await }
    /// Deletes an order.
    pub async fn delete_order(&self, id: i64) -> R<()> { self.delete(id).await }
    /// Stays.
    pub async fn ping(&self) -> R<()> { self.get("/ping", &()).await }
}
impl Other {
    pub fn not_an_operation(&self) {}
}
"#;

    const TYPES: &str = r#"
/// An order.
#[derive(Debug)]
pub struct Order {
    /// The ID.
    pub id: i64,
    /// The total.
    pub total: f64,
}
impl Order {
    pub fn new(id: i64, total: f64) -> Self { Self { id, total } }
}
/// A status.
pub enum Status { Open, Closed }
/// A phone number.
pub type Phone = String;
/// Going away.
pub struct OldThing;
/// Stays the same.
pub struct Same { pub a: u8 }
"#;

    const VALIDATE: &str = r#"
impl crate::validate::Validate for super::types::Order {
    fn validate(&self) { check(self.total, 0.0) }
}
"#;

    fn api(ops: &str, types: &str, validate: &str) -> Api {
        Api::parse([
            (OPERATIONS_FILE, ops),
            (TYPES_FILE, types),
            (CHECKS_FILE, validate),
        ])
        .expect("valid Rust")
    }

    fn lines(changes: &[ApiChange]) -> Vec<String> {
        changes.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn reads_operations_and_types() {
        let a = api(OPS, TYPES, VALIDATE);
        assert_eq!((a.operations(), a.types()), (4, 5));
    }

    /// Two parses of the same files report nothing; and not because nothing is compared: with any one
    /// item's tokens changed, that item, and only it, is reported.
    #[test]
    fn identical_files_have_no_changes_and_any_one_changed_item_is_reported() {
        let old = api(OPS, TYPES, VALIDATE);
        assert_eq!(
            lines(&diff(&old, &api(OPS, TYPES, VALIDATE))),
            Vec::<String>::new()
        );
        assert_eq!((old.operations.len(), old.types.len()), (4, 5));
        for (i, (name, _)) in old.operations.iter().enumerate() {
            let mut new = old.clone();
            new.operations[i].1.body.push_str(" changed");
            assert_eq!(
                lines(&diff(&old, &new)),
                [format!("~ operation {name} (implementation changed)")]
            );
        }
        for (i, (name, _)) in old.types.iter().enumerate() {
            let mut new = old.clone();
            new.types[i].1.shell.push_str(" changed");
            assert_eq!(
                lines(&diff(&old, &new)),
                [format!("~ type {name} (definition changed)")]
            );
        }
    }

    #[test]
    fn whitespace_and_formatting_are_not_changes() {
        let reformatted = OPS.replace("-> R<()> {", "-> R<()>\n    {");
        assert!(diff(
            &api(OPS, TYPES, VALIDATE),
            &api(&reformatted, TYPES, VALIDATE)
        )
        .is_empty());
    }

    #[test]
    fn operations_added_removed_and_changed() {
        let new_ops = OPS
            .replace(
                "    /// Deletes an order.\n    pub async fn delete_order(&self, id: i64) -> R<()> { self.delete(id).await }\n",
                "    /// Sends a reaction.\n    pub async fn send_reaction_message(&self, body: &ReactionRequest) -> R<()> { self.post(body).await }\n",
            )
            .replace("/// Lists orders.", "/// Lists the workspace's orders.")
            .replace("get_order(&self, id: i64)", "get_order(&self, id: u64)");
        let changes = diff(&api(OPS, TYPES, VALIDATE), &api(&new_ops, TYPES, VALIDATE));
        assert_eq!(
            lines(&changes),
            [
                "+ operation send_reaction_message",
                "~ operation list_orders (docs only)",
                "~ operation get_order (signature changed)",
                "- operation delete_order",
            ]
        );
    }

    #[test]
    fn an_operation_whose_body_changed_says_so() {
        let new_ops = OPS
            .replace("\"/ping\"", "\"/health\"")
            .replace("/// Stays.", "/// Checks health.");
        assert_eq!(
            lines(&diff(
                &api(OPS, TYPES, VALIDATE),
                &api(&new_ops, TYPES, VALIDATE)
            )),
            ["~ operation ping (implementation and docs changed)"]
        );
    }

    #[test]
    fn types_added_removed_and_changed() {
        let new_types = TYPES
            .replace(
                "/// Going away.\npub struct OldThing;\n",
                "/// A reaction.\npub struct ReactionRequest { pub emoji: String }\n",
            )
            .replace(
                "pub total: f64,",
                "pub total: f64,\n    /// Notes.\n    pub notes: Option<String>,",
            )
            .replace(
                "pub enum Status { Open, Closed }",
                "pub enum Status { Open, Closed, Cancelled }",
            )
            .replace("/// A phone number.", "/// A phone number, digits only.")
            .replace(
                "pub fn new(id: i64, total: f64) -> Self { Self { id, total } }",
                "pub fn new(id: i64, total: f64) -> Self { Self { id, total, notes: None } }",
            );
        let changes = diff(&api(OPS, TYPES, VALIDATE), &api(OPS, &new_types, VALIDATE));
        assert_eq!(
            lines(&changes),
            [
                "+ type ReactionRequest",
                "~ type Order (fields +notes; impls changed)",
                "~ type Status (variants +Cancelled)",
                "~ type Phone (docs only)",
                "- type OldThing",
            ]
        );
    }

    #[test]
    fn field_type_changes_alias_targets_and_kinds() {
        let new_types = TYPES
            .replace("pub total: f64,", "pub total: Decimal,")
            .replace("pub type Phone = String;", "pub type Phone = u64;")
            .replace("pub struct OldThing;", "pub enum OldThing {}");
        assert_eq!(
            lines(&diff(
                &api(OPS, TYPES, VALIDATE),
                &api(OPS, &new_types, VALIDATE)
            )),
            [
                "~ type Order (fields ~total)",
                "~ type Phone (definition changed)",
                "~ type OldThing (was a struct, now an enum)",
            ]
        );
    }

    #[test]
    fn docs_of_a_kept_field_are_docs_but_those_of_a_new_one_are_not() {
        let reworded = TYPES.replace("/// The ID.", "/// The order's ID.");
        assert_eq!(
            lines(&diff(
                &api(OPS, TYPES, VALIDATE),
                &api(OPS, &reworded, VALIDATE)
            )),
            ["~ type Order (docs only)"]
        );
        let grown = TYPES.replace("pub a: u8 }", "pub a: u8,\n    /// New.\n    pub b: u8 }");
        assert_eq!(
            lines(&diff(
                &api(OPS, TYPES, VALIDATE),
                &api(OPS, &grown, VALIDATE)
            )),
            ["~ type Same (fields +b)"]
        );
        let both = reworded.replace("/// The total.\n    pub total: f64,", "");
        assert_eq!(
            lines(&diff(
                &api(OPS, TYPES, VALIDATE),
                &api(OPS, &both, VALIDATE)
            )),
            ["~ type Order (fields -total; docs changed)"]
        );
    }

    #[test]
    fn a_validation_change_changes_the_type() {
        let new_validate = VALIDATE.replace("0.0", "1.0");
        assert_eq!(
            lines(&diff(
                &api(OPS, TYPES, VALIDATE),
                &api(OPS, TYPES, &new_validate)
            )),
            ["~ type Order (validation changed)"]
        );
    }

    #[test]
    fn a_missing_file_means_everything_in_it_is_new() {
        let changes = diff(&api("", "", ""), &api(OPS, TYPES, VALIDATE));
        assert_eq!(changes.len(), 9);
        assert!(changes.iter().all(|c| c.change == Change::Added));
    }

    #[test]
    fn invalid_rust_is_an_error_naming_the_file() {
        let e = Api::parse([(TYPES_FILE, "pub struct {")]).expect_err("not Rust");
        assert_eq!(e.file, "types.rs");
    }
}
