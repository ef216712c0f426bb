//! OpenAPI 3.1 on small fixture specs (`tests/fixtures/oas31/`), one per construct. Each is held by a
//! snapshot of what it generates (the warnings first, each at its JSON pointer, then the generated
//! files that show the construct); the assertions say what each snapshot must show.

use codegen::{Options, Output};

fn generate(fixture: &str) -> Output {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/oas31")
        .join(fixture);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let options = Options {
        spec_name: format!("tests/fixtures/oas31/{fixture}"),
        command: "cargo test".to_owned(),
    };
    let out = codegen::generate(&text, &options).unwrap_or_else(|d| panic!("{fixture}:\n{d}"));
    // Each warning is at its JSON pointer: a node of the fixture as written.
    for warning in &out.warnings {
        assert!(
            awal_tests::pointer::resolves(&text, &warning.pointer),
            "{fixture}: no node at {warning}"
        );
    }
    out
}

fn file<'a>(out: &'a Output, name: &str) -> &'a str {
    &out.files
        .iter()
        .find(|f| f.path == name)
        .unwrap_or_else(|| panic!("no {name}"))
        .contents
}

/// The warnings, one line each (`pointer: message`), then the named files.
fn shown(out: &Output, files: &[&str]) -> String {
    let mut text = String::from("== warnings\n");
    for w in &out.warnings {
        text.push_str(&format!("{}: {}\n", w.pointer, w.message));
    }
    for name in files {
        text.push_str(&format!("\n== {name}\n{}", file(out, name)));
    }
    text
}

/// The text of one item of `types.rs`, from its `pub struct|enum|type Name` line to the next item.
fn item<'a>(types: &'a str, name: &str) -> &'a str {
    let start = ["struct", "enum", "type"]
        .iter()
        .find_map(|kind| {
            types
                .find(&format!("pub {kind} {name} "))
                .or_else(|| types.find(&format!("pub {kind} {name}=")))
        })
        .unwrap_or_else(|| panic!("no item `{name}` in:\n{types}"));
    let rest = &types[start..];
    let end = rest[1..]
        .find("\npub ")
        .map(|i| i + 1)
        .unwrap_or(rest.len());
    &rest[..end]
}

/// Doc comments and whitespace removed, so assertions do not depend on docs or line breaks.
fn compact(text: &str) -> String {
    text.lines()
        .filter(|l| !l.trim_start().starts_with("///"))
        .flat_map(str::chars)
        .filter(|c| !c.is_whitespace())
        .collect()
}

#[test]
fn nullability_in_all_three_styles() {
    let out = generate("nullable.yaml");
    insta::assert_snapshot!("nullable", shown(&out, &["types.rs"]));
    let pet = compact(item(file(&out, "types.rs"), "Pet"));
    for field in [
        "pubnickname:Option<String>",
        "pubborn:Option<rt::chrono::NaiveDate>",
        "pubowner:Option<Owner>",
        "pubtags:Option<Vec<Option<String>>>",
        "pubweight:Option<f64>",
        "publegacy:bool",
        "pubnothing:Option<rt::serde_json::Value>",
    ] {
        assert!(pet.contains(field), "{field} in {pet}");
    }
}

#[test]
fn type_arrays_become_untagged_enums() {
    let out = generate("type-arrays.yaml");
    insta::assert_snapshot!("type_arrays", shown(&out, &["types.rs"]));
    let types = file(&out, "types.rs");
    let price = compact(item(types, "ItemPrice"));
    assert!(
        price.contains("Number(f64)") && price.contains("String(String)"),
        "{price}"
    );
    let status = compact(item(types, "ItemStatus"));
    assert!(
        status.contains("Integer(i64)") && status.contains("String(String)"),
        "{status}"
    );
    assert!(compact(item(types, "Item")).contains("pubstatus:Option<ItemStatus>"));
    // `enum: [low, high]` rules the integers out: a string enum.
    assert!(item(types, "ItemLevel").contains("Low"), "{types}");
    let code = compact(item(types, "ItemCode"));
    assert!(code.contains("Integer(i64)"), "{code}");
}

#[test]
fn constants_become_one_value_enums() {
    let out = generate("const.yaml");
    insta::assert_snapshot!("const", shown(&out, &["types.rs", "checks.rs"]));
    let types = file(&out, "types.rs");
    // A string constant: an enum with one variant.
    let object = compact(item(types, "ChannelObject"));
    assert!(object.contains("{Channel,Unknown(String),}"), "{object}");
    // A `oneOf` of integer constants: an integer whose values are documented and checked.
    let channel_type = item(types, "ChannelType");
    assert!(
        channel_type.contains("pub type ChannelType = i32;"),
        "{channel_type}"
    );
    assert!(types.contains("`0` (`GUILD_TEXT`: A text channel within a server.)"));
    assert!(compact(item(types, "ChannelMode")).contains("Auto,"));
    assert!(compact(item(types, "Channel")).contains("pubmode:Option<ChannelMode>"));
}

#[test]
fn schema_examples_are_accepted() {
    let out = generate("examples.yaml");
    insta::assert_snapshot!("examples", shown(&out, &["types.rs"]));
    assert!(file(&out, "operations.rs").contains("\"text\": \"Buy milk\""));
}

#[test]
fn exclusive_bounds_in_both_forms() {
    let out = generate("bounds.yaml");
    insta::assert_snapshot!("bounds", shown(&out, &["types.rs", "checks.rs"]));
    let validate = file(&out, "checks.rs");
    // An integer above 0 and below 100: 1 to 99.
    assert!(
        validate.contains("*value as f64, Some(1.0), Some(99.0));"),
        "{validate}"
    );
    // A number above 0 is documented so; the check before sending allows 0 itself.
    let types = file(&out, "types.rs");
    assert!(types.contains("/// More than 0. At most 1."), "{types}");
}

#[test]
fn prefix_items_become_tuples() {
    let out = generate("tuples.yaml");
    insta::assert_snapshot!("tuples", shown(&out, &["types.rs"]));
    let types = file(&out, "types.rs");
    assert!(types.contains("pub type Point = (f64, f64);"), "{types}");
    let route = compact(item(types, "Route"));
    assert!(
        route.contains("pubheaders:Option<Vec<(String,String)>>"),
        "{route}"
    );
    assert!(
        route.contains("pubstops:Option<Vec<(i64,Stop)>>"),
        "{route}"
    );
    assert!(
        route.contains("pubpartial:Option<Vec<RoutePartialItem>>"),
        "{route}"
    );
}

#[test]
fn defs_are_shared_types() {
    let out = generate("defs.yaml");
    insta::assert_snapshot!("defs", shown(&out, &["types.rs"]));
    let types = file(&out, "types.rs");
    assert_eq!(types.matches("pub enum OrderStatus ").count(), 1, "{types}");
    assert!(compact(item(types, "Order")).contains("publines:Vec<OrderLine>"));
    assert!(compact(item(types, "Shipment")).contains("pubstatus:Option<OrderStatus>"));
}

#[test]
fn content_media_types_and_encodings() {
    let out = generate("content.yaml");
    insta::assert_snapshot!("content", shown(&out, &["types.rs", "operations.rs"]));
    let types = file(&out, "types.rs");
    assert!(compact(item(types, "UploadAvatarRequest")).contains("pubimage:rt::FilePart"));
    assert!(compact(item(types, "Thumbnail")).contains("pubdata:rt::Base64"));
    assert!(compact(item(types, "Thumbnail")).contains("pubnote:Option<String>"));
    let operations = file(&out, "operations.rs");
    assert!(
        operations.contains("body: impl Into<rt::Upload>"),
        "{operations}"
    );
}

#[test]
fn map_keywords_become_maps() {
    let out = generate("maps.yaml");
    insta::assert_snapshot!("maps", shown(&out, &["types.rs"]));
    let stats = compact(item(file(&out, "types.rs"), "Stats"));
    for field in [
        "pubby_category:std::collections::BTreeMap<String,std::collections::BTreeMap<String,i64>,>",
        "publabels:Option<std::collections::BTreeMap<String,String>>",
        "pubtags:Option<std::collections::BTreeMap<String,rt::serde_json::Value>>",
        "pubextra:Option<std::collections::BTreeMap<String,bool>>",
    ] {
        assert!(stats.contains(field), "{field} in {stats}");
    }
}

#[test]
fn dialect_keywords_are_accepted() {
    let out = generate("dialect.yaml");
    insta::assert_snapshot!("dialect", shown(&out, &["types.rs"]));
    assert!(compact(item(file(&out, "types.rs"), "Thing")).contains("pubid:String"));
}

#[test]
fn ref_siblings_apply_at_the_place_of_use() {
    let out = generate("ref-siblings.yaml");
    insta::assert_snapshot!("ref_siblings", shown(&out, &["types.rs"]));
    let types = file(&out, "types.rs");
    // One `Address` type, used by every field.
    assert_eq!(types.matches("pub struct Address ").count(), 1, "{types}");
    let account = item(types, "Account");
    assert!(
        account.contains("/// Where the account holder lives."),
        "{account}"
    );
    let account = compact(account);
    assert!(account.contains("pubhome:Address"), "{account}");
    assert!(account.contains("pubwork:Option<Address>"), "{account}");
    assert!(account.contains("pubtyped:Option<Address>"), "{account}");
    assert!(account.contains("pubtier:Tier"), "{account}");
    assert!(
        item(types, "Account").contains("/// Use `tier`.\n    ///\n    /// Deprecated."),
        "{account}"
    );
}

#[test]
fn webhooks_get_an_enum_with_parse_helpers() {
    let out = generate("webhooks.yaml");
    insta::assert_snapshot!("webhooks", shown(&out, &["types.rs"]));
    let types = file(&out, "types.rs");
    let hooks = compact(item(types, "Webhook"));
    assert!(hooks.contains("InvoicePaid(Box<InvoicePaid>)"), "{hooks}");
    assert!(
        hooks.contains("InvoiceVoided(Box<InvoiceVoidedWebhook>)"),
        "{hooks}"
    );
    assert!(
        hooks.contains("CustomerCreated(Box<CustomerCreatedWebhook>)"),
        "{hooks}"
    );
    let parse = compact(&types[types.find("pub fn parse_any").expect("parse_any")..]);
    assert!(parse.contains("value.get(\"type\")"), "{parse}");
    assert!(
        parse.contains("\"invoice.voided\"=>{Ok(Self::InvoiceVoided(Box::new(rt::serde_json::from_value(value)?)))}"),
        "{parse}"
    );
}

#[test]
fn webhooks_without_paths_and_without_a_tag() {
    let out = generate("webhooks-only.yaml");
    assert_eq!(out.operations, 0);
    insta::assert_snapshot!("webhooks_only", shown(&out, &["types.rs"]));
    let types = file(&out, "types.rs");
    assert!(!types.contains("parse_any"), "{types}");
    let hooks = compact(item(types, "Webhook"));
    assert!(hooks.contains("NewPet(Box<Pet>)"), "{hooks}");
    assert!(hooks.contains("PetNote(String)"), "{hooks}");
    assert!(hooks.contains("Ping,"), "{hooks}");
}

#[test]
fn document_details() {
    let out = generate("document.yaml");
    insta::assert_snapshot!("document", shown(&out, &["mod.rs", "operations.rs"]));
    let module = file(&out, "mod.rs");
    assert!(
        module.contains("//! A short summary of the API.\n//!\n//! The longer description."),
        "{module}"
    );
    assert!(file(&out, "operations.rs").contains("pub fn ping("));
}

#[test]
fn referenced_path_items_are_used_where_referenced() {
    let out = generate("path-items.yaml");
    insta::assert_snapshot!("path_items", shown(&out, &["operations.rs"]));
    let operations = file(&out, "operations.rs");
    assert!(operations.contains("pub fn list_users("), "{operations}");
    assert!(
        operations.contains("pub fn get_teams_team_people("),
        "{operations}"
    );
    assert!(operations.contains("team: &str"), "{operations}");
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
}

#[test]
fn yaml_anchors_and_aliases() {
    let out = generate("anchors.yaml");
    insta::assert_snapshot!("anchors", shown(&out, &["types.rs"]));
    assert_eq!(out.operations, 2);
}

#[test]
fn minified_json_with_the_version_last() {
    let out = generate("minified.json");
    insta::assert_snapshot!("minified", shown(&out, &["types.rs"]));
    let item_type = compact(item(file(&out, "types.rs"), "Item"));
    assert!(item_type.contains("pubsize:Option<i64>"), "{item_type}");
}

#[test]
fn unsupported_keywords_fall_back_with_located_warnings() {
    let out = generate("unsupported.yaml");
    insta::assert_snapshot!("unsupported", shown(&out, &["types.rs"]));
    let pointers: Vec<&str> = out.warnings.iter().map(|w| w.pointer.as_str()).collect();
    for expected in [
        "#/components/schemas/Tree/properties/children/items/$dynamicRef",
        "#/components/schemas/Tree/properties/shipping/if",
        "#/components/schemas/Tree/properties/payment/dependentSchemas",
    ] {
        assert!(pointers.contains(&expected), "{expected} in {pointers:?}");
    }
    let tree = compact(item(file(&out, "types.rs"), "Tree"));
    assert!(tree.contains("pubname:String"), "{tree}");
    assert!(
        tree.contains("pubshipping:Option<rt::serde_json::Value>"),
        "{tree}"
    );
}
