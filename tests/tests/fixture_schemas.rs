//! Schemas on small fixture specs (`tests/fixtures/schemas/*.yaml`): `allOf`, unions, recursion,
//! maps and `nullable`, names, formats. Each is held by a snapshot of the generated `types.rs` and one
//! of the warnings (what the generator worked around, each at its JSON pointer); the assertions below
//! say what each snapshot must show.

use codegen::{Options, Output};

fn generate(fixture: &str) -> Output {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/schemas")
        .join(fixture);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let options = Options {
        spec_name: format!("tests/fixtures/schemas/{fixture}"),
        command: "cargo test".to_owned(),
    };
    let out = codegen::generate(&text, &options).unwrap_or_else(|d| panic!("{fixture}:\n{d}"));
    // Each warning is at its JSON pointer: a node of the fixture.
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

/// One line per warning: `pointer: message`.
fn warnings(out: &Output) -> String {
    out.warnings
        .iter()
        .map(|w| format!("{}: {}\n", w.pointer, w.message))
        .collect()
}

/// The text of one item of `types.rs`, from its `pub struct|enum|type Name` line to the next item.
fn item<'a>(types: &'a str, name: &str) -> &'a str {
    let start = ["struct", "enum", "type"]
        .iter()
        .find_map(|kind| {
            let decl = format!("pub {kind} {name} ");
            let decl_generic = format!("pub {kind} {name}=");
            types.find(&decl).or_else(|| types.find(&decl_generic))
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
fn all_of_members_merge_into_one_struct() {
    let out = generate("all_of.yaml");
    let types = file(&out, "types.rs");
    insta::assert_snapshot!("all_of_types", types);
    insta::assert_snapshot!("all_of_warnings", warnings(&out));
    let cat = compact(item(types, "Cat"));
    // Base properties first, the override of `tag` in place, required unioned.
    assert!(
        cat.contains("pubpet_type:String,") && cat.contains("pubname:String,"),
        "{cat}"
    );
    assert!(cat.contains("pubtag:Option<i64>"), "{cat}");
    assert!(cat.contains("pubpurrs:bool,"), "{cat}");
    assert!(cat.contains("pubcollar:Option<CatCollar>"), "{cat}");
    let new_cat = compact(item(types, "NewCat"));
    assert!(new_cat.contains("pubtag:i64,"), "{new_cat}");
    assert!(
        new_cat.contains("pubbirthday:Option<rt::chrono::NaiveDate>"),
        "{new_cat}"
    );
    // The collar is the same type wherever Cat's properties are merged.
    assert!(new_cat.contains("pubcollar:Option<CatCollar>"), "{new_cat}");
    assert!(compact(types).contains("pubtypePetAlias=Pet;"));
    // The limits of the one member are the property's.
    assert!(types.contains("At most 40 characters."));
    let owner = compact(item(types, "Owner"));
    assert!(owner.contains("pubpet:Option<Pet>"), "{owner}");
    assert!(owner.contains("pubname:Option<String>"), "{owner}");
    assert!(
        owner.contains("pubfavourite:Option<OwnerFavourite>"),
        "{owner}"
    );
    // An object and a string cannot both be: the struct of the object, with a warning.
    assert!(compact(item(types, "Mixed")).contains("pubpet_type:String,"));
    assert!(compact(types).contains("pubtypeStrings=String;"));
    // Bases that list their subtypes: tagged unions; the subtypes are structs, with no warning.
    let animal = compact(item(types, "Animal"));
    assert!(
        animal.contains("Bird(Bird),Fish(Fish),Unknown(rt::serde_json::Value)"),
        "{animal}"
    );
    assert!(
        animal.contains("Some(\"Bird\")=>") && animal.contains("Some(\"Fish\")=>"),
        "{animal}"
    );
    let bird = compact(item(types, "Bird"));
    assert!(
        bird.contains("pubkind:String,") && bird.contains("pubwings:Option<i32>"),
        "{bird}"
    );
    let vehicle = compact(item(types, "Vehicle"));
    assert!(
        vehicle.contains("Some(\"car\")=>") && vehicle.contains("Some(\"boat\")=>"),
        "{vehicle}"
    );
    let car = compact(item(types, "Car"));
    assert!(
        car.contains("pubkind:String,") && car.contains("pubwheels:Option<i32>"),
        "{car}"
    );
    let looped = compact(item(types, "Loop"));
    assert!(
        looped.contains("pubbase:") && looped.contains("pubown:"),
        "{looped}"
    );
}

#[test]
fn one_of_and_any_of_become_enums() {
    let out = generate("unions.yaml");
    let types = file(&out, "types.rs");
    insta::assert_snapshot!("unions_types", types);
    insta::assert_snapshot!("unions_warnings", warnings(&out));
    let shape = compact(item(types, "Shape"));
    assert!(
        shape.contains("Some(\"circle\")=>") && shape.contains("Some(\"square\")=>"),
        "{shape}"
    );
    let mapped = compact(item(types, "MappedShape"));
    assert!(
        mapped.contains("Some(\"round\")=>") && mapped.contains("Some(\"Square\")=>"),
        "{mapped}"
    );
    // A discriminator that cannot tell the variants apart leaves the union untagged.
    assert!(
        compact(types).contains("rt::untagged!(BrokenTag{Circle,BrokenTagVariant2};"),
        "{types}"
    );
    assert!(types.contains(
        "in this order and takes the first that fits: `Integer`, `String`, `StringList`.\n#[derive"
    ));
    let expandable = compact(item(types, "Expandable"));
    assert!(
        expandable.contains("Circle(Circle),String(String),}"),
        "{expandable}"
    );
    let twins = compact(item(types, "Twins"));
    // The second `Point` title is taken by a different schema: it is named from its place.
    assert!(
        twins.contains("Point(Point),TwinsVariant2(TwinsVariant2),JsonMap(std::collections::BTreeMap<String,rt::serde_json::Value>),IntegerMap(std::collections::BTreeMap<String,i64>),IntegerList(Vec<i64>),IntegerList2(Vec<i32>),"),
        "{twins}"
    );
    let colour = item(types, "Colour");
    assert!(colour.contains("Red,") && colour.contains("Green,") && colour.contains("Blue,"));
    assert!(item(types, "Model").contains("Small,"));
    assert!(compact(types).contains("pubtypeSingle=Square;"));
    assert!(compact(types).contains("pubtypeNotAString=rt::serde_json::Value;"));
    let drawing = compact(item(types, "Drawing"));
    assert!(
        drawing.contains("pubbackground:Option<Expandable>"),
        "{drawing}"
    );
    assert!(
        drawing.contains("pubstatus:Option<DrawingStatus>"),
        "{drawing}"
    );
}

#[test]
fn recursive_types_are_boxed() {
    let out = generate("recursion.yaml");
    let types = file(&out, "types.rs");
    insta::assert_snapshot!("recursion_types", types);
    insta::assert_snapshot!("recursion_warnings", warnings(&out));
    let node = compact(item(types, "Node"));
    assert!(node.contains("pubparent:Option<Box<Node>>"), "{node}");
    assert!(node.contains("pubchildren:Option<Vec<Node>>"), "{node}");
    assert!(
        node.contains("pubby_name:Option<std::collections::BTreeMap<String,Node>>"),
        "{node}"
    );
    assert!(node.contains("pubfirst:Option<Box<Link>>"), "{node}");
    let link = compact(item(types, "Link"));
    assert!(link.contains("pubnode:Box<Node>,"), "{link}");
    assert!(link.contains("pubnext:Option<Box<Link>>"), "{link}");
    let sum = compact(item(types, "Sum"));
    assert!(
        sum.contains("publeft:Box<Expr>,") && sum.contains("pubright:Box<Expr>,"),
        "{sum}"
    );
    let expr = compact(item(types, "Expr"));
    assert!(expr.contains("Literal(Literal),Sum(Box<Sum>)"), "{expr}");
    assert!(compact(types).contains("pubtypeForest=Vec<rt::serde_json::Value>;"));
    // The request type with a limit gets a `Validate` impl that walks the boxes.
    let validate = file(&out, "checks.rs");
    assert!(
        validate.contains("impl rt::validate::Validate for super::types::Node"),
        "{validate}"
    );
    assert!(
        validate.contains("impl rt::validate::Validate for super::types::Link"),
        "{validate}"
    );
}

#[test]
fn maps_and_nullable_values() {
    let out = generate("maps_nullable.yaml");
    let types = file(&out, "types.rs");
    insta::assert_snapshot!("maps_nullable_types", types);
    insta::assert_snapshot!("maps_nullable_warnings", warnings(&out));
    let all = compact(types);
    assert!(all.contains("pubtypeCounts=std::collections::BTreeMap<String,i32>;"));
    assert!(
        all.contains("pubtypeAnything=std::collections::BTreeMap<String,rt::serde_json::Value>;")
    );
    assert!(all
        .contains("pubtypeAnythingToo=std::collections::BTreeMap<String,rt::serde_json::Value>;"));
    assert!(all.contains("pubstructClosed{}"), "{types}");
    let labelled = compact(item(types, "Labelled"));
    assert!(
        labelled.contains("pubadditional:Option<String>"),
        "{labelled}"
    );
    assert!(
        labelled.contains("pubadditional_properties:std::collections::BTreeMap<String,Tag>"),
        "{labelled}"
    );
    // The other properties follow the listed ones, in and out.
    assert!(
        labelled.contains("}restadditional_properties;"),
        "{labelled}"
    );
    let nullables = compact(item(types, "Nullables"));
    assert!(nullables.contains("pubname:Option<String>"), "{nullables}");
    assert!(
        nullables.contains("pubtags:Vec<Option<String>>"),
        "{nullables}"
    );
    assert!(
        nullables.contains("pubscores:Option<std::collections::BTreeMap<String,Option<f64>>>"),
        "{nullables}"
    );
    assert!(
        nullables.contains("pubmaybe:Option<MaybeName>"),
        "{nullables}"
    );
    assert!(
        nullables.contains("publevel:Option<NullablesLevel>"),
        "{nullables}"
    );
    assert!(
        nullables.contains("pubpoints:Option<Vec<Option<Point>>>"),
        "{nullables}"
    );
    assert!(all.contains("pubtypeGrid=Vec<Vec<Option<i64>>>;"));
    assert!(
        all.contains("pubtypePointsByName=std::collections::BTreeMap<String,PointsByNameValue>;")
    );
    // The flattened map's values are checked with the rest.
    let validate = compact(file(&out, "checks.rs"));
    assert!(
        validate.contains("self.additional_properties.validate(at,problems);"),
        "{validate}"
    );
}

#[test]
fn names_are_valid_rust_and_collisions_are_numbered() {
    let out = generate("names.yaml");
    let types = file(&out, "types.rs");
    insta::assert_snapshot!("names_types", types);
    insta::assert_snapshot!("names_warnings", warnings(&out));
    let level = compact(item(types, "Level"));
    for variant in [
        "V1,",
        "AB,",
        "AB2,",
        "Empty,",
        "Foo,",
        "Foo2,",
        "SelfValue,",
        "UnknownValue,",
        "Minus1,",
        "Plus1,",
    ] {
        assert!(level.contains(variant), "{variant} in {level}");
    }
    let all = compact(types);
    assert!(all.contains("pubstructResultModel{"), "{types}");
    assert!(all.contains("pubstructSelfModel{"), "{types}");
    assert!(all.contains("pubtypeOptionModel=String;"), "{types}");
    assert!(
        all.contains("pubstructFooBar{") && all.contains("pubstructFooBar2{"),
        "{types}"
    );
    let thing = compact(item(types, "Thing"));
    for field in [
        "pubr#type:",
        "pubself_:",
        "pubself_2:",
        "pubcrate_:",
        "pubsuper_:",
        "pubr#fn:",
        "pubr#async:",
        "pubfoo_bar:",
        "pubfoo_bar2:",
        "pubplus_1:",
        "pubminus_1:",
        "pubpriority:Option<Priority>",
        "pubmixed:Option<Mixed>",
        "pubdetail:Option<ThingDetail>",
    ] {
        assert!(thing.contains(field), "{field} in {thing}");
    }
    assert!(
        all.contains("pubtypeMixed=rt::serde_json::Value;"),
        "{types}"
    );
    assert!(all.contains("pubtypePriority=i64;"), "{types}");
    let validate = compact(file(&out, "checks.rs"));
    assert!(
        validate.contains("problems.one_of(&at.field(\"priority\"),*value,&[1,2,3]);"),
        "{validate}"
    );
}

#[test]
fn formats_map_to_rust_types() {
    let out = generate("formats.yaml");
    let types = file(&out, "types.rs");
    insta::assert_snapshot!("formats_types", types);
    insta::assert_snapshot!("formats_warnings", warnings(&out));
    let record = compact(item(types, "Record"));
    for field in [
        "pubid:rt::uuid::Uuid,",
        "pubwhen:rt::chrono::DateTime<rt::chrono::Utc>,",
        "pubday:Option<rt::chrono::NaiveDate>",
        "pubdata:Option<rt::Base64>",
        "pubupload:Option<String>",
        "pubemail:Option<String>",
        "pubodd:Option<String>",
        "pubsmall:Option<i8>",
        "pubshort:Option<i16>",
        "pubbyte:Option<u8>",
        "pubport:Option<u16>",
        "pubcount:Option<u32>",
        "pubhuge:Option<u64>",
        "pubint32:Option<i32>",
        "pubint64:Option<i64>",
        "pubunknown_int:Option<i64>",
        "pubratio:Option<f32>",
        "pubprecise:Option<f64>",
        "pubprice:Option<rt::rust_decimal::Decimal>",
        "pubseen:Option<rt::chrono::DateTime<rt::chrono::Utc>>",
        "pubseen_all:Option<Vec<i64>>",
        "pubids:Option<Vec<rt::uuid::Uuid>>",
        "publist:Option<Vec<rt::serde_json::Value>>",
        "pubconfused:Option<String>",
        "pubtangled:Option<Hoisted>",
        "pubweird:Option<rt::serde_json::Value>",
    ] {
        assert!(record.contains(field), "{field} in {record}");
    }
    let validate = compact(file(&out, "checks.rs"));
    // Limits apply where the type can be checked: numbers, text; not base64 bytes.
    assert!(
        validate
            .contains("problems.range(&at.field(\"small\"),f64::from(*value),Some(-5.0),None);"),
        "{validate}"
    );
    assert!(
        validate.contains("problems.range(&at.field(\"huge\"),*valueasf64,Some(1.0),None);"),
        "{validate}"
    );
    assert!(
        validate.contains("problems.pattern(&at.field(\"email\"),value,\"^[^@]+@[^@]+$\");"),
        "{validate}"
    );
    assert!(!validate.contains("field(\"data\")"), "{validate}");
    assert!(!validate.contains("field(\"slug\")"), "{validate}");
}
