//! Bad specs give diagnostics that name the JSON pointer of the problem, never a panic or partial output;
//! what the generator works around comes back as warnings that name the pointer too.

use codegen::{generate, Diagnostic, Diagnostics, Options};

const HEAD: &str =
    "openapi: 3.0.3\ninfo: {title: t, version: '1'}\nservers: [{url: 'https://x.test/api'}]\n";

fn problems(body: &str) -> Diagnostics {
    let text = format!("{HEAD}{body}");
    match generate(&text, &Options::default()) {
        Ok(out) => panic!(
            "expected diagnostics, got {} files for:\n{text}",
            out.files.len()
        ),
        Err(d) => d,
    }
}

/// The warnings of a spec that generates.
fn warnings(body: &str) -> Vec<Diagnostic> {
    let text = format!("{HEAD}{body}");
    match generate(&text, &Options::default()) {
        Ok(out) => out.warnings,
        Err(d) => panic!("expected the spec to generate:\n{d}\nfor:\n{text}"),
    }
}

/// The warning at `pointer`, or a panic listing them all.
fn warning_at<'w>(warnings: &'w [Diagnostic], pointer: &str) -> &'w Diagnostic {
    warnings
        .iter()
        .find(|w| w.pointer == pointer)
        .unwrap_or_else(|| {
            let all: Vec<String> = warnings.iter().map(|w| w.to_string()).collect();
            panic!("no warning at {pointer}:\n{}", all.join("\n"))
        })
}

fn pointers(d: &Diagnostics) -> Vec<&str> {
    d.iter().map(|x| x.pointer.as_str()).collect()
}

#[test]
fn dangling_schema_ref_names_its_pointer() {
    let d = problems(
        "paths:\n  /a:\n    get:\n      operationId: getA\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/Missing'}\n",
    );
    assert_eq!(
        pointers(&d),
        ["#/paths/~1a/get/responses/200/content/application~1json/schema"],
        "{d}"
    );
    assert!(d.0[0].message.contains("does not exist"), "{d}");
}

#[test]
fn every_workaround_is_reported_not_just_the_first() {
    let w = warnings(
        "paths:\n  /a/{id}:\n    get:\n      operationId: getA\n      responses: {'200': {description: ok}}\n    post:\n      operationId: getA\n      responses: {'200': {description: ok}}\n",
    );
    // {id} undeclared on both operations, and the duplicate operationId renamed.
    assert!(warning_at(&w, "#/paths/~1a~1{id}/get")
        .message
        .contains("{id}"));
    assert!(warning_at(&w, "#/paths/~1a~1{id}/post")
        .message
        .contains("{id}"));
    let renamed = warning_at(&w, "#/paths/~1a~1{id}/post/operationId");
    assert!(
        renamed
            .message
            .contains("#/paths/~1a~1{id}/get/operationId"),
        "{renamed}"
    );
}

#[test]
fn colliding_type_names_are_renamed_loudly() {
    let w = warnings(
        "paths: {}\ncomponents:\n  schemas:\n    contact_list: {type: object, properties: {a: {type: string}}}\n    ContactList: {type: object, properties: {b: {type: string}}}\n",
    );
    let renamed = warning_at(&w, "#/components/schemas/ContactList");
    assert!(
        renamed
            .message
            .contains("#/components/schemas/contact_list"),
        "{renamed}"
    );
    assert!(renamed.message.contains("ContactList2"), "{renamed}");
}

#[test]
fn malformed_signing_extension_points_inside_it() {
    let d = problems(
        "paths: {}\ncomponents:\n  securitySchemes:\n    sig:\n      type: apiKey\n      in: header\n      name: X-Sig\n      x-signing:\n        algorithm: md5\n        encoding: hex\n        timestamp-header: X-T\n        timestamp-format: unix-seconds\n        string-to-sign: [method, body, nonce]\n        secret: {name: s}\n",
    );
    let ps = pointers(&d);
    assert!(
        ps.contains(&"#/components/securitySchemes/sig/x-signing/algorithm"),
        "{d}"
    );
    assert!(
        ps.contains(&"#/components/securitySchemes/sig/x-signing/string-to-sign/2"),
        "{d}"
    );
}

#[test]
fn wrong_shapes_carry_the_pointer_from_the_parser() {
    let d = problems("paths:\n  /a:\n    get:\n      responses: [1, 2]\n");
    assert_eq!(pointers(&d), ["#/paths/~1a/get/responses"], "{d}");
}

#[test]
fn files_outside_multipart_bodies_fall_back_with_a_warning() {
    let w = warnings(
        "paths:\n  /a:\n    post:\n      operationId: postA\n      requestBody:\n        content:\n          application/json:\n            schema: {type: object, title: Up, properties: {f: {type: string, format: binary}}}\n      responses: {'200': {description: ok}}\n",
    );
    let at = "#/paths/~1a/post/requestBody/content/application~1json/schema/properties/f";
    assert!(warning_at(&w, at).message.contains("format: binary"));
}

#[test]
fn not_yaml_and_wrong_versions_are_refused_with_a_location() {
    let d = match generate("openapi: 3.0.3\ninfo: {title: [\n", &Options::default()) {
        Err(d) => d,
        Ok(_) => panic!("must fail"),
    };
    // The unclosed flow sequence is only known to be unclosed at the end of the input.
    assert!(d.0[0].message.contains("line 3, column 1"), "{d}");
    let d = generate("swagger: '2.0'\n", &Options::default()).expect_err("2.0 must fail");
    assert_eq!(pointers(&d), ["#/swagger"]);
    let d = generate("openapi: 3.2.0\n", &Options::default()).expect_err("3.2 must fail");
    assert_eq!(pointers(&d), ["#/openapi"]);
    // 3.1 is read: what this one lacks is `info`.
    let d = generate("openapi: 3.1.0\n", &Options::default()).expect_err("no info");
    assert_eq!(pointers(&d), ["#"]);
    assert!(d.0[0].message.contains("missing field `info`"), "{d}");
}

#[test]
fn arbitrary_garbage_never_panics() {
    // Truncations of the real spec: each must give Ok or diagnostics, never a panic.
    let spec = std::fs::read_to_string(xtask::project_root().join(xtask::SPEC)).expect("spec");
    let mut runs = 0;
    // About 150 cuts spread over the whole spec, whatever its size.
    for cut in (0..spec.len()).step_by((spec.len() / 150).max(1)) {
        if !spec.is_char_boundary(cut) {
            continue;
        }
        let _ = generate(&spec[..cut], &Options::default());
        runs += 1;
    }
    assert!(runs > 100, "only {runs} truncations ran");
}

#[test]
fn dangling_component_refs_name_the_section() {
    let d = problems(
        "paths:\n  /a:\n    get:\n      operationId: getA\n      parameters: [{$ref: '#/components/parameters/Nope'}]\n      responses:\n        '200': {$ref: '#/components/responses/Gone'}\n",
    );
    assert_eq!(
        pointers(&d),
        [
            "#/paths/~1a/get/parameters/0",
            "#/paths/~1a/get/responses/200"
        ],
        "{d}"
    );
    assert!(d.0[0].message.contains("components.parameters"), "{d}");
    assert!(d.0[1].message.contains("components.responses"), "{d}");
}

#[test]
fn patterns_the_client_cannot_check_are_left_out_with_a_warning() {
    let w = warnings(
        "paths:\n  /a:\n    post:\n      operationId: postA\n      requestBody:\n        content:\n          application/json:\n            schema: {$ref: '#/components/schemas/Thing'}\n      responses: {'200': {description: ok}}\ncomponents:\n  schemas:\n    Thing:\n      type: object\n      properties:\n        code: {type: string, pattern: '^(?=abc)x$'}\n",
    );
    let left_out = warning_at(&w, "#/components/schemas/Thing/properties/code/pattern");
    assert!(left_out.message.contains("look-around"), "{left_out}");
}
