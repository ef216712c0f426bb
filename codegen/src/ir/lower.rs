//! Lowering: `openapiv3::OpenAPI` → [`Api`], every problem collected as a diagnostic.

use super::names::{claim, claim_unique, snake_ident, type_ident, unraw};
use super::prose::{first_sentence, sanitize};
use super::schema::{unescape_token, Schemas};
use super::{
    Api, Body, BodyEncoding, BodyVariant, Decode, Field, Method, NameIndex, Operation, Pagination,
    ParamLocation, ParamStyle, ParamWire, Query, ResponseCase, ResponseVariant, Segment, Step,
    TypeKind, TypeRef,
};
use crate::diagnostics::{Diagnostic, Diagnostics, Pointer};
use crate::load::Spec;
use heck::ToUpperCamelCase;
use indexmap::IndexMap;
use openapiv3::{
    Components, OpenAPI, Parameter, ParameterData, ParameterSchemaOrContent, PathItem, PathStyle,
    QueryStyle, ReferenceOr, RequestBody, Response, StatusCode,
};
use std::collections::HashMap;

/// Lowers a loaded spec into the IR, or reports every problem found. Every diagnostic names its
/// place in the document as written (the 3.1 stage of the loader may have moved it).
pub fn lower(loaded: &Spec) -> Result<Api, Diagnostics> {
    let spec = &loaded.api;
    let mut s = Schemas::new(spec);
    let auth = super::security::lower_auth(spec, &mut s.sink);
    if let Some(requirement) = &auth.security {
        super::security::check_shared_headers(
            &auth,
            requirement,
            &Pointer::root().push("security"),
            &mut s.sink,
        );
    }
    s.declare_components();
    let mut registry = Registry {
        fn_names: NameIndex::new(),
        shared_queries: shared_query_sets(spec),
        query_names: HashMap::new(),
    };
    let mut operations = Vec::new();
    let paths_at = Pointer::root().push("paths");
    for (path, item) in &spec.paths.paths {
        let at = paths_at.push(path);
        // The loader copies every local path item `$ref`; one into another document is left.
        let ReferenceOr::Item(item) = item else {
            s.sink.error(
                &at,
                "a path item `$ref` into another document is not supported; bundle the spec first",
            );
            continue;
        };
        for (method, op) in item.iter() {
            operations.push(lower_operation(
                &mut s,
                &mut registry,
                &auth,
                path,
                item,
                method,
                op,
                &at.push(method),
            ));
        }
    }
    let mut webhooks = super::webhooks::lower(&mut s, &loaded.webhooks);
    s.check_files_only_in_forms();
    s.json_uses_of_file_forms(&mut operations);
    super::webhooks::find_tag(&s, &mut webhooks);
    let (base_url, base_url_env) = server(spec, &mut s);
    let api = Api {
        title: sanitize(&spec.info.title),
        version: spec.info.version.clone(),
        description: spec.info.description.as_deref().map(sanitize),
        base_url,
        base_url_env,
        auth,
        types: std::mem::take(&mut s.types),
        operations,
        webhooks,
        warnings: Vec::new(),
    };
    let relocated = |mut d: Diagnostic| {
        d.pointer = loaded.original(&d.pointer);
        d
    };
    let (mut api, warnings) = s
        .sink
        .finish(api)
        .map_err(|e| Diagnostics(e.0.into_iter().map(relocated).collect()))?;
    api.warnings = loaded.warnings.clone();
    api.warnings.extend(warnings.into_iter().map(relocated));
    if !loaded.moves.is_empty() {
        for t in &mut api.types {
            t.pointer = loaded.original(&t.pointer);
        }
    }
    Ok(api)
}

fn server(spec: &OpenAPI, s: &mut Schemas<'_>) -> (String, Option<String>) {
    let Some(server) = spec.servers.first() else {
        s.sink.warn(
            &Pointer::root(),
            "the spec declares no server: the client has no default base URL and must be given one",
        );
        return (String::new(), None);
    };
    // Server variables take their defaults: the base URL is a constant of the generated client.
    let mut url = server.url.clone();
    if let Some(vars) = &server.variables {
        for (name, var) in vars {
            url = url.replace(&format!("{{{name}}}"), &var.default);
        }
    }
    if url.contains('{') {
        s.sink.warn(
            &Pointer::root().push("servers").push("0").push("url"),
            "the server URL has a variable without a default: the client has no default base URL and must be given one",
        );
        return (String::new(), None);
    }
    let env = server
        .extensions
        .get("x-env")
        .and_then(|v| v.as_str())
        .map(str::to_owned);
    (url.trim_end_matches('/').to_owned(), env)
}

fn method_of(name: &str) -> Method {
    match name {
        "get" => Method::Get,
        "put" => Method::Put,
        "post" => Method::Post,
        "delete" => Method::Delete,
        "options" => Method::Options,
        "head" => Method::Head,
        "patch" => Method::Patch,
        _ => Method::Trace,
    }
}

/// `GET /contacts/{id}` → `get_contacts_id`: deterministic, for operations without an `operationId`.
fn synthesized_id_for(method: &str, path: &str) -> String {
    let words: Vec<&str> = path
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    format!("{method}_{}", words.join("_"))
}

#[allow(clippy::too_many_arguments)]
fn lower_operation(
    s: &mut Schemas<'_>,
    registry: &mut Registry,
    auth: &super::Auth,
    path: &str,
    item: &PathItem,
    method: &str,
    op: &openapiv3::Operation,
    at: &Pointer,
) -> Operation {
    let given = op.operation_id.clone().filter(|id| !id.trim().is_empty());
    let synthesized_id = given.is_none();
    let id = given.unwrap_or_else(|| synthesized_id_for(method, path));
    let id_at = if op.operation_id.is_some() {
        at.push("operationId")
    } else {
        at.clone()
    };
    // Two operations with one id (or ids equal after case conversion) keep spec order: the later one
    // gets a numbered name, and the author is told.
    let fn_name = claim_unique(
        &mut registry.fn_names,
        &mut s.sink,
        &snake_ident(&id),
        &id_at,
        "operation method name",
    );
    let ctx = type_ident(unraw(&fn_name));

    // Operation parameters override path-item parameters with the same name and location.
    let mut params: Vec<(ParamLoc, ParameterData, Pointer, ParamWire)> = Vec::new();
    let item_params = item
        .parameters
        .iter()
        .enumerate()
        .map(|(i, p)| (p, at.parent().push("parameters").push(i.to_string())));
    let op_params = op
        .parameters
        .iter()
        .enumerate()
        .map(|(i, p)| (p, at.push("parameters").push(i.to_string())));
    for (param, p_at) in item_params.chain(op_params) {
        let Some((loc, data, data_at, wire)) = resolve_parameter(s, param, &p_at) else {
            continue;
        };
        params.retain(|(l, d, _, _)| !(*l == loc && d.name == data.name));
        params.push((loc, data, data_at, wire));
    }
    // OpenAPI: header parameters named `Accept`, `Content-Type` or `Authorization` are ignored. The
    // client sets those headers itself: `Accept` from the answers (or the value the parameter fixes),
    // `Content-Type` from the body, `Authorization` from the security schemes.
    let mut fixed_accept = None;
    let mut fixed_content_type = None;
    params.retain(|(loc, data, p_at, _)| {
        let name = data.name.to_ascii_lowercase();
        if *loc != ParamLoc::Header || !IGNORED_HEADERS.contains(&name.as_str()) {
            return true;
        }
        let (exact, default) = fixed_value(s, data);
        let how = match name.as_str() {
            "accept" => {
                fixed_accept = exact.map(|v| (v, true)).or(default.map(|v| (v, false)));
                match &fixed_accept {
                    Some((value, _)) => format!("the client sends `Accept: {value}`"),
                    None => "the client sends `Accept` from the documented answers".to_owned(),
                }
            }
            "content-type" => {
                fixed_content_type = exact.or(default);
                match &fixed_content_type {
                    Some(value) => format!(
                        "the body's media type sets `Content-Type` (without a body, `{value}`)"
                    ),
                    None => "the body's media type sets `Content-Type`".to_owned(),
                }
            }
            _ => {
                "credentials come from the security schemes (or `ClientBuilder::header`)".to_owned()
            }
        };
        s.sink.warn(
            p_at,
            format!(
                "the `{}` header parameter is ignored, as OpenAPI says: {how}",
                data.name
            ),
        );
        false
    });

    // A fragment is never sent: `/{Bucket}#cors` (how some specs tell operations on one path apart)
    // is requested as `/{Bucket}`.
    let template = match path.split_once('#') {
        Some((sent, _)) => {
            s.sink.warn(
                at,
                format!("the path's fragment is not sent: requests go to `{sent}`"),
            );
            sent
        }
        None => path,
    };
    // A query in the path's key (`/responses?beta=true`, as OpenAI writes its beta operations): the
    // path is the part before `?`, and the pairs after it are sent with every call.
    let (template, fixed_query) = match template.split_once('?') {
        Some((sent, query)) => {
            s.sink.warn(
                at,
                format!("the path has a query (`?{query}`), which a path template cannot hold: requests go to `{sent}` with it as fixed query parameters"),
            );
            let pairs = query
                .split('&')
                .filter(|pair| !pair.is_empty())
                .map(|pair| match pair.split_once('=') {
                    Some((name, value)) => (name.to_owned(), value.to_owned()),
                    None => (pair.to_owned(), String::new()),
                })
                .collect();
            (sent, pairs)
        }
        None => (template, Vec::new()),
    };
    let segments = parse_template(template);
    let mut path_params: Vec<Field> = Vec::new();
    // The method's own argument names, and the locals its body uses, are taken.
    let mut arg_names: NameIndex = ["query", "body", "request", "self"]
        .iter()
        .map(|n| ((*n).to_owned(), "the generated method".to_owned()))
        .collect();
    let mut template: Vec<Segment> = Vec::new();
    for seg in &segments {
        match seg {
            TemplatePart::Literal(text) => template.push(Segment::Literal(text.clone())),
            TemplatePart::Param(name) => {
                let found = params
                    .iter()
                    .find(|(l, d, _, _)| *l == ParamLoc::Path && &d.name == name);
                let mut field = match found {
                    Some((_, data, p_at, wire)) => {
                        if wire.style != ParamStyle::Simple {
                            s.sink.warn(
                                p_at,
                                "label and matrix path styles are sent as `simple` (`a,b`)",
                            );
                        }
                        let field = param_field(s, data, p_at, &ctx, true, *wire);
                        if matches!(field.ty, TypeRef::File | TypeRef::Bytes) {
                            s.sink
                                .error(p_at, "a path parameter cannot be a file or raw bytes");
                        }
                        field
                    }
                    None => {
                        s.sink.warn(
                            at,
                            format!("path parameter `{{{name}}}` of `{path}` is not declared; it is taken as a required string"),
                        );
                        undeclared_path_param(name)
                    }
                };
                field.rust_name = claim_unique(
                    &mut arg_names,
                    &mut s.sink,
                    &field.rust_name,
                    at,
                    "path parameter name",
                );
                template.push(Segment::Param(path_params.len()));
                path_params.push(field);
            }
        }
    }
    let mut query_params = Vec::new();
    let mut field_names = NameIndex::new();
    for (loc, data, p_at, wire) in &params {
        match loc {
            ParamLoc::Path => {
                if !segments
                    .iter()
                    .any(|t| matches!(t, TemplatePart::Param(n) if n == &data.name))
                {
                    s.sink.warn(
                        p_at,
                        format!(
                            "path parameter `{}` does not appear in `{path}`; it is left out",
                            data.name
                        ),
                    );
                }
            }
            ParamLoc::Query | ParamLoc::Header | ParamLoc::Cookie => {
                let mut field = param_field(s, data, p_at, &ctx, data.required, *wire);
                if matches!(field.ty, TypeRef::File | TypeRef::Bytes) {
                    s.sink
                        .warn(p_at, "a parameter cannot carry a file; it is sent as text");
                    field.ty = TypeRef::String;
                }
                field.rust_name = claim_unique(
                    &mut field_names,
                    &mut s.sink,
                    &field.rust_name,
                    p_at,
                    "parameter field name",
                );
                query_params.push(field);
            }
        }
    }
    let query = if query_params.is_empty() {
        None
    } else {
        let only_query = params
            .iter()
            .all(|(l, ..)| matches!(l, ParamLoc::Path | ParamLoc::Query));
        let suffix = if only_query { "Query" } else { "Params" };
        // Operations taking exactly the same shared parameters share one struct, named after them.
        let key: Vec<String> = params
            .iter()
            .filter(|(l, ..)| *l != ParamLoc::Path)
            .map(|(_, _, p, _)| p.to_string())
            .collect();
        let shared = registry.shared_queries.get(&key).is_some_and(|n| *n > 1);
        let type_name = match registry.query_names.get(&key) {
            Some(name) if shared => name.clone(),
            _ => {
                let name = if shared {
                    let words: String = key
                        .iter()
                        .map(|p| type_ident(p.rsplit('/').next().unwrap_or_default()))
                        .collect();
                    format!("{words}{suffix}")
                } else {
                    format!("{ctx}{suffix}")
                };
                let name = claim_unique(
                    &mut s.names,
                    &mut s.sink,
                    &name,
                    &at.push("parameters"),
                    "type name",
                );
                if shared {
                    registry.query_names.insert(key, name.clone());
                }
                name
            }
        };
        Some(Query {
            type_name,
            params: query_params,
        })
    };

    let body = op
        .request_body
        .as_ref()
        .and_then(|b| request_body(s, b, &at.push("requestBody"), &ctx, unraw(&fn_name)));
    let responses = responses(s, op, at, &ctx);
    let accept = accept(fixed_accept, &responses);
    let redirect_is_answer = redirect_is_answer(&responses);
    // With a body, its media type is the `Content-Type` (it replaces this one); without one (no body,
    // or an optional one left out), this is sent.
    let fixed_content_type =
        fixed_content_type.filter(|_| body.as_ref().is_none_or(|b| !b.required));
    let (success, decode) =
        success_type(s, &responses, &ctx, unraw(&fn_name), &at.push("responses"));
    // A stream of events offered besides the body the method reads: a second method.
    let events = responses
        .iter()
        .filter(|r| is_success(r, &responses))
        .find_map(|r| r.events.clone())
        .filter(|_| decode != Decode::EventStream);
    if events.is_some() {
        claim(
            &mut registry.fn_names,
            &mut s.sink,
            &format!("{}_events", unraw(&fn_name)),
            &at.push("responses"),
            "operation method name",
        );
    }
    // Error bodies are typed when every documented error has the same JSON type.
    let errors = distinct(
        responses
            .iter()
            .filter(|r| !is_success(r, &responses) && r.decode == Decode::Json),
    );
    let error = match errors.as_slice() {
        [one] => one.clone(),
        _ => TypeRef::Json,
    };

    // `security: []` declares a public operation; no declaration at all sends what is configured.
    let requirements = op.security.as_ref().or(s.spec.security.as_ref());
    let authenticated = requirements.is_none_or(|reqs| !reqs.is_empty());
    // The operation's own requirement, when it differs from the spec's (which the client applies to
    // every operation that declares none).
    let security = op
        .security
        .as_deref()
        .map(|reqs| super::security::requirement(s.spec, reqs))
        .filter(|own| !own.is_empty() && Some(own) != auth.security.as_ref());
    if let Some(own) = &security {
        super::security::check_shared_headers(auth, own, &at.push("security"), &mut s.sink);
    }
    if let Some(reqs) = requirements {
        let known = s.spec.components.as_ref().map(|c| &c.security_schemes);
        for (i, req) in reqs.iter().enumerate() {
            for scheme in req.keys() {
                if !known.is_some_and(|k| k.contains_key(scheme)) {
                    let req_at = if op.security.is_some() {
                        at.push("security")
                    } else {
                        Pointer::root().push("security")
                    };
                    s.sink.warn(
                        &req_at.push(i.to_string()),
                        format!("security scheme `{scheme}` is not declared; it is ignored"),
                    );
                }
            }
        }
    }

    let pagination = op.extensions.get("x-pagination").and_then(|ext| {
        pagination(
            s,
            ext,
            query.as_ref(),
            success.as_ref(),
            &at.push("x-pagination"),
        )
    });
    if pagination.is_some() {
        let stream = format!("{}_stream", unraw(&fn_name));
        claim(
            &mut registry.fn_names,
            &mut s.sink,
            &stream,
            &at.push("x-pagination"),
            "operation method name",
        );
    }
    let method_enum = method_of(method);
    let doc = operation_doc(
        op,
        method_enum,
        path,
        &responses,
        &at.push("x-rate-limit"),
        s,
    );
    Operation {
        id,
        synthesized_id,
        fn_name,
        method: method_enum,
        path: path.to_owned(),
        segments: template,
        doc,
        deprecated: op.deprecated,
        path_params,
        query,
        body,
        responses,
        accept,
        fixed_content_type,
        fixed_query,
        redirect_is_answer,
        success,
        decode,
        error,
        authenticated,
        security,
        events,
        pagination,
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct PaginationExt {
    page: String,
    items: String,
    last_page: String,
}

/// Checks `x-pagination` against the operation's query parameters and success type.
fn pagination(
    s: &mut Schemas<'_>,
    ext: &serde_json::Value,
    query: Option<&Query>,
    success: Option<&TypeRef>,
    at: &Pointer,
) -> Option<Pagination> {
    let ext: PaginationExt = match serde_json::from_value(ext.clone()) {
        Ok(ext) => ext,
        Err(e) => {
            s.sink.error(
                at,
                format!("`x-pagination` must be `{{page, items, last-page}}`: {e}"),
            );
            return None;
        }
    };
    let page = query.and_then(|q| q.params.iter().find(|p| p.wire_name == ext.page));
    let Some(page) = page.filter(|p| matches!(p.ty, TypeRef::I32 | TypeRef::I64) && p.optional())
    else {
        s.sink.error(
            &at.push("page"),
            format!(
                "`{}` must be an optional integer query parameter of the operation",
                ext.page
            ),
        );
        return None;
    };
    let Some(body) = success else {
        s.sink
            .error(at, "a paginated operation needs a success response body");
        return None;
    };
    let (items, items_ty) = walk(s, body, &ext.items, &at.push("items"))?;
    let item_type = match items_ty {
        TypeRef::Vec(inner) => *inner,
        _ => {
            s.sink.error(
                &at.push("items"),
                format!("`{}` must be an array", ext.items),
            );
            return None;
        }
    };
    let (last_page, last_ty) = walk(s, body, &ext.last_page, &at.push("last-page"))?;
    if last_ty != page.ty {
        s.sink.error(
            &at.push("last-page"),
            format!(
                "`{}` must have the page parameter's integer type",
                ext.last_page
            ),
        );
        return None;
    }
    Some(Pagination {
        page_field: page.rust_name.clone(),
        page_type: page.ty.clone(),
        items,
        item_type,
        last_page,
    })
}

/// Follows a dotted path of JSON property names through named structs.
fn walk(
    s: &mut Schemas<'_>,
    start: &TypeRef,
    path: &str,
    at: &Pointer,
) -> Option<(Vec<Step>, TypeRef)> {
    let mut ty = start.clone();
    let mut steps = Vec::new();
    for name in path.split('.') {
        let field = match &ty {
            TypeRef::Named(n) => {
                s.types
                    .iter()
                    .find(|t| &t.name == n)
                    .and_then(|t| match &t.kind {
                        TypeKind::Struct(st) => {
                            st.fields.iter().find(|f| f.wire_name == name).cloned()
                        }
                        _ => None,
                    })
            }
            _ => None,
        };
        let Some(field) = field else {
            s.sink.error(
                at,
                format!("`{path}`: the response has no property `{name}` there"),
            );
            return None;
        };
        steps.push(Step {
            field: field.rust_name.clone(),
            optional: field.optional(),
        });
        ty = field.ty;
    }
    Some((steps, ty))
}

/// Names and shared query structs, across operations.
struct Registry {
    /// Operation method names.
    fn_names: NameIndex,
    /// How many operations take each set of query parameters that are all `$ref`s to components
    /// (keyed by the parameters' pointers, in order).
    shared_queries: HashMap<Vec<String>, usize>,
    /// The struct already named for a shared set.
    query_names: HashMap<Vec<String>, String>,
}

/// Counts, per set of component query parameters, the operations that take exactly that set.
fn shared_query_sets(spec: &OpenAPI) -> HashMap<Vec<String>, usize> {
    let components = spec.components.as_ref();
    let is_query = |reference: &str| {
        let key = reference
            .strip_prefix("#/components/parameters/")
            .map(unescape_token);
        let param = key.and_then(|k| components?.parameters.get(&k));
        matches!(param, Some(ReferenceOr::Item(Parameter::Query { .. })))
    };
    let mut counts = HashMap::new();
    for item in spec.paths.paths.values().filter_map(ReferenceOr::as_item) {
        for (_, op) in item.iter() {
            let mut key = Vec::new();
            for param in item.parameters.iter().chain(&op.parameters) {
                match param {
                    ReferenceOr::Reference { reference } if is_query(reference) => {
                        key.push(reference.clone())
                    }
                    ReferenceOr::Reference { .. } => {}
                    ReferenceOr::Item(Parameter::Query { .. }) => {
                        key.clear();
                        break; // an inline query parameter: this set is the operation's own
                    }
                    ReferenceOr::Item(_) => {}
                }
            }
            if !key.is_empty() {
                *counts.entry(key).or_insert(0) += 1;
            }
        }
    }
    counts
}

fn distinct<'r>(cases: impl Iterator<Item = &'r ResponseCase>) -> Vec<TypeRef> {
    let mut out: Vec<TypeRef> = Vec::new();
    for ty in cases.filter_map(|c| c.body.clone()) {
        if !out.contains(&ty) {
            out.push(ty);
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ParamLoc {
    Path,
    Query,
    Header,
    Cookie,
}

fn resolve_parameter(
    s: &mut Schemas<'_>,
    param: &ReferenceOr<Parameter>,
    at: &Pointer,
) -> Option<(ParamLoc, ParameterData, Pointer, ParamWire)> {
    let (param, at) = resolve_component(s, param, at, "parameters", |c| &c.parameters)?;
    let (loc, location, style) = match param {
        Parameter::Path { style, .. } => {
            let style = match style {
                PathStyle::Simple => ParamStyle::Simple,
                // Reported where the path is put together; sent as `simple`.
                PathStyle::Label | PathStyle::Matrix => ParamStyle::Form,
            };
            (ParamLoc::Path, ParamLocation::Path, style)
        }
        Parameter::Query { style, .. } => {
            let style = match style {
                QueryStyle::Form => ParamStyle::Form,
                QueryStyle::SpaceDelimited => ParamStyle::SpaceDelimited,
                QueryStyle::PipeDelimited => ParamStyle::PipeDelimited,
                QueryStyle::DeepObject => ParamStyle::DeepObject,
            };
            (ParamLoc::Query, ParamLocation::Query, style)
        }
        Parameter::Header { .. } => (ParamLoc::Header, ParamLocation::Header, ParamStyle::Simple),
        Parameter::Cookie { .. } => (ParamLoc::Cookie, ParamLocation::Cookie, ParamStyle::Form),
    };
    let data = param.parameter_data_ref();
    // OpenAPI: `explode` defaults to true for `form`, false for every other style.
    let explode = data.explode.unwrap_or(style == ParamStyle::Form);
    let wire = ParamWire {
        location,
        style,
        explode,
    };
    Some((loc, data.clone(), at, wire))
}

/// The header parameters OpenAPI says to ignore, in lowercase.
const IGNORED_HEADERS: [&str; 3] = ["accept", "content-type", "authorization"];

/// The value a string parameter fixes: its only `enum` value (exact), or its `default`.
fn fixed_value(s: &Schemas<'_>, data: &ParameterData) -> (Option<String>, Option<String>) {
    let ParameterSchemaOrContent::Schema(schema) = &data.format else {
        return (None, None);
    };
    let Some(schema) = s.resolve(schema) else {
        return (None, None);
    };
    let exact = match &schema.schema_kind {
        openapiv3::SchemaKind::Type(openapiv3::Type::String(string)) => {
            match string.enumeration.as_slice() {
                [Some(only)] => Some(only.clone()),
                _ => None,
            }
        }
        _ => None,
    };
    let default = schema
        .schema_data
        .default
        .as_ref()
        .and_then(|v| v.as_str())
        .map(str::to_owned);
    (exact, default)
}

/// The `Accept` an operation sends when its answers are not plain JSON: the media types of its success
/// answers (those the client reads, wildcards included: a server that only promises `*/*` is asked for
/// that), after the value an ignored `Accept` parameter gives by default; exactly the value it fixes
/// with a one-value `enum`. `None`: the client's `application/json`.
fn accept(fixed: Option<(String, bool)>, responses: &[ResponseCase]) -> Option<String> {
    if let Some((value, true)) = &fixed {
        return Some(value.clone());
    }
    let mut types: Vec<String> = fixed.map(|(value, _)| value).into_iter().collect();
    for case in responses.iter().filter(|r| is_success(r, responses)) {
        if let Some(media_type) = &case.media_type {
            if !types.contains(media_type) {
                types.push(media_type.clone());
            }
        }
    }
    let plain_json = types.iter().all(|t| essence(t) == "application/json");
    (!plain_json).then(|| types.join(", "))
}

/// A path parameter the template names but no parameter declares: a required string.
fn undeclared_path_param(name: &str) -> Field {
    Field {
        wire_name: name.to_owned(),
        rust_name: snake_ident(name),
        ty: TypeRef::String,
        required: true,
        nullable: false,
        doc: String::new(),
        constraints: Default::default(),
        boxed: false,
        param: None,
    }
}

/// Follows a `$ref` into one section of `components` (one level: a reference to a reference is
/// refused): the item and the pointer where it is declared, or a diagnostic at `at`.
pub(super) fn resolve_component<'r, 'a: 'r, T>(
    s: &mut Schemas<'a>,
    item: &'r ReferenceOr<T>,
    at: &Pointer,
    section: &str,
    map: impl Fn(&'r Components) -> &'r IndexMap<String, ReferenceOr<T>>,
) -> Option<(&'r T, Pointer)> {
    let spec: &'r OpenAPI = s.spec;
    let found = lookup_component(spec, item, at, section, map);
    if found.is_none() {
        if let ReferenceOr::Reference { reference } = item {
            s.sink.error(
                at,
                format!("`$ref: {reference}` does not point to an entry of components.{section}"),
            );
        }
    }
    found
}

/// [`resolve_component`] without reporting: for second looks at what lowering already checked.
fn lookup_component<'r, T>(
    spec: &'r OpenAPI,
    item: &'r ReferenceOr<T>,
    at: &Pointer,
    section: &str,
    map: impl Fn(&'r Components) -> &'r IndexMap<String, ReferenceOr<T>>,
) -> Option<(&'r T, Pointer)> {
    let reference = match item {
        ReferenceOr::Item(item) => return Some((item, at.clone())),
        ReferenceOr::Reference { reference } => reference,
    };
    let key = reference
        .strip_prefix(&format!("#/components/{section}/"))
        .map(unescape_token)?;
    match map(spec.components.as_ref()?).get(&key)? {
        ReferenceOr::Item(item) => Some((
            item,
            Pointer::root().push("components").push(section).push(key),
        )),
        ReferenceOr::Reference { .. } => None,
    }
}

fn param_field(
    s: &mut Schemas<'_>,
    data: &ParameterData,
    at: &Pointer,
    ctx: &str,
    required: bool,
    wire: ParamWire,
) -> Field {
    let (ty, doc_from_schema, c) = match &data.format {
        ParameterSchemaOrContent::Schema(schema) => {
            let ty = s.type_ref(
                schema,
                &at.push("schema"),
                &format!("{ctx}{}", data.name.to_upper_camel_case()),
            );
            let resolved = s.resolve(schema);
            let c = s.checked_constraints(resolved, &at.push("schema"));
            (
                ty,
                resolved.map(super::schema::schema_doc).unwrap_or_default(),
                c,
            )
        }
        ParameterSchemaOrContent::Content(_) => {
            s.sink.warn(
                at,
                "a parameter with `content` is taken as text: serialize the value yourself",
            );
            (TypeRef::String, String::new(), Default::default())
        }
    };
    let doc = data
        .description
        .as_deref()
        .map(sanitize)
        .filter(|d| !d.is_empty())
        .unwrap_or(doc_from_schema);
    Field {
        wire_name: data.name.clone(),
        rust_name: snake_ident(&data.name),
        ty,
        required,
        nullable: false,
        doc,
        constraints: c,
        boxed: false,
        param: Some(wire),
    }
}

fn request_body(
    s: &mut Schemas<'_>,
    body: &ReferenceOr<RequestBody>,
    at: &Pointer,
    ctx: &str,
    fn_name: &str,
) -> Option<Body> {
    let (body, at) = resolve_component(s, body, at, "requestBodies", |c| &c.request_bodies)?;
    if body.content.is_empty() {
        s.sink.warn(
            &at.push("content"),
            "the request body has no media type; it is left out",
        );
        return None;
    }
    let mut variants: Vec<BodyVariant> = Vec::new();
    let mut variant_names = NameIndex::new();
    for (media_type, media) in &body.content {
        let media_at = at.push("content").push(media_type);
        let mut encoding = body_encoding(media_type);
        let context = if body.content.len() == 1 {
            format!("{ctx}Request")
        } else {
            format!("{ctx}{}Request", variant_for_media_type(media_type))
        };
        let ty = match (&media.schema, encoding) {
            (_, BodyEncoding::Binary) => TypeRef::Bytes,
            (_, BodyEncoding::Text) => TypeRef::String,
            (None, _) => TypeRef::Json,
            (Some(schema), _) => s.type_ref(schema, &media_at.push("schema"), &context),
        };
        if encoding == BodyEncoding::Multipart && !s.make_form(&ty, &media.encoding, &media_at) {
            s.sink.warn(
                &media_at,
                "this multipart body is not an object with properties; it is sent as raw bytes you encode yourself",
            );
            encoding = BodyEncoding::Binary;
        }
        let ty = if encoding == BodyEncoding::Binary {
            TypeRef::Bytes
        } else {
            ty
        };
        // `application/json`, `text/json` and `application/*+json` offering one schema are one choice
        // for the caller: the first listed is sent.
        if variants
            .iter()
            .any(|v| v.encoding == encoding && v.ty == ty && encoding == BodyEncoding::Json)
        {
            continue;
        }
        let name = claim_unique(
            &mut variant_names,
            &mut s.sink,
            &variant_for_media_type(media_type),
            &media_at,
            "body variant name",
        );
        variants.push(BodyVariant {
            name,
            encoding,
            ty,
            content_type: sent_content_type(media_type, encoding),
        });
    }
    if variants.len() == 1 {
        return variants.pop().map(|v| Body {
            required: body.required,
            encoding: v.encoding,
            ty: v.ty,
            content_type: v.content_type,
        });
    }
    let name = format!("{ctx}Body");
    let doc = format!(
        "The request body of [`Client::{fn_name}`](super::Client::{fn_name}): one of the media types the operation accepts."
    );
    let name = claim_unique(&mut s.names, &mut s.sink, &name, &at, "type name");
    s.push_type(name.clone(), doc, TypeKind::BodyChoice(variants), &at);
    Some(Body {
        required: body.required,
        encoding: BodyEncoding::Choice,
        ty: TypeRef::Named(name),
        content_type: String::new(),
    })
}

/// How a request body of this media type is sent.
fn body_encoding(media_type: &str) -> BodyEncoding {
    let essence = essence(media_type);
    if is_json(&essence) {
        BodyEncoding::Json
    } else if essence.starts_with("multipart/") {
        BodyEncoding::Multipart
    } else if essence == "application/x-www-form-urlencoded" {
        BodyEncoding::Form
    } else if is_text(&essence) {
        BodyEncoding::Text
    } else {
        BodyEncoding::Binary
    }
}

/// The `Content-Type` sent: the declared media type, with wildcards made concrete.
fn sent_content_type(media_type: &str, encoding: BodyEncoding) -> String {
    let essence = essence(media_type);
    match encoding {
        BodyEncoding::Multipart => "multipart/form-data".to_owned(), // the runtime adds the boundary
        _ if essence.contains('*') => match encoding {
            BodyEncoding::Json => "application/json".to_owned(),
            BodyEncoding::Text => "text/plain; charset=utf-8".to_owned(),
            _ => "application/octet-stream".to_owned(),
        },
        _ => media_type.trim().to_owned(),
    }
}

/// A variant name for a body or response media type: `Json`, `Form`, `Multipart`, `Text`, `Binary`,
/// or the media type's own words for the others (`MergePatchJson`, `Xml`, `Png`).
fn variant_for_media_type(media_type: &str) -> String {
    let essence = essence(media_type);
    match essence.as_str() {
        "application/json" => "Json".to_owned(),
        "application/x-www-form-urlencoded" => "Form".to_owned(),
        "multipart/form-data" => "Multipart".to_owned(),
        "text/plain" => "Text".to_owned(),
        "application/octet-stream" | "*/*" => "Binary".to_owned(),
        other => {
            let subtype = other.rsplit('/').next().unwrap_or(other);
            let name = type_ident(subtype.trim_start_matches("x-").trim_start_matches("vnd."));
            if name == "Unnamed" {
                "Binary".to_owned()
            } else {
                name
            }
        }
    }
}

/// The media type without parameters, lowercase.
pub(super) fn essence(media_type: &str) -> String {
    media_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

pub(super) fn is_text(essence: &str) -> bool {
    essence.starts_with("text/")
        || matches!(
            essence,
            "application/xml"
                | "application/yaml"
                | "application/x-yaml"
                | "application/javascript"
        )
        || (essence.starts_with("application/") && essence.ends_with("+xml"))
}

/// The media type of server-sent events.
const EVENT_STREAM: &str = "text/event-stream";

/// The response content to read: JSON when offered (it is typed), else a stream of events, else text,
/// else bytes.
fn response_content(
    content: &IndexMap<String, openapiv3::MediaType>,
) -> Option<(&String, &openapiv3::MediaType, Decode)> {
    let by = |decode: Decode| {
        content.iter().find(|(mt, _)| {
            let e = essence(mt);
            match decode {
                Decode::Json => is_json(&e),
                Decode::EventStream => e == EVENT_STREAM,
                Decode::Text => is_text(&e),
                _ => true,
            }
        })
    };
    [
        Decode::Json,
        Decode::EventStream,
        Decode::Text,
        Decode::Bytes,
    ]
    .into_iter()
    .find_map(|d| by(d).map(|(mt, m)| (mt, m, d)))
}

/// Whether a media type's schema is raw bytes (`type: string, format: binary`), inline or a component.
fn is_binary(spec: &OpenAPI, schema: Option<&ReferenceOr<openapiv3::Schema>>) -> bool {
    use openapiv3::{SchemaKind, StringFormat, StringType, Type, VariantOrUnknownOrEmpty};
    let schema = match schema {
        Some(ReferenceOr::Item(schema)) => Some(schema),
        Some(ReferenceOr::Reference { reference }) => reference
            .strip_prefix("#/components/schemas/")
            .and_then(|name| spec.components.as_ref()?.schemas.get(name))
            .and_then(ReferenceOr::as_item),
        None => None,
    };
    matches!(
        schema.map(|s| &s.schema_kind),
        Some(SchemaKind::Type(Type::String(StringType {
            format: VariantOrUnknownOrEmpty::Item(StringFormat::Binary),
            ..
        })))
    )
}

/// The type of each event's data in a `text/event-stream` media type: its `x-item-schema` (where a
/// loader reading a newer OpenAPI puts `itemSchema`), else its `schema`; any JSON without either.
fn event_data(
    s: &mut Schemas<'_>,
    media: &openapiv3::MediaType,
    at: &Pointer,
    context: &str,
) -> TypeRef {
    let item =
        media.extensions.get("x-item-schema").and_then(|value| {
            match serde_json::from_value::<ReferenceOr<openapiv3::Schema>>(value.clone()) {
                Ok(schema) => Some(schema),
                Err(error) => {
                    s.sink.warn(
                        &at.push("x-item-schema"),
                        format!("not a schema ({error}); the media type's `schema` is used"),
                    );
                    None
                }
            }
        });
    match (&item, &media.schema) {
        (Some(item), _) => s.type_ref(item, &at.push("x-item-schema"), context),
        (None, Some(schema)) => s.type_ref(schema, &at.push("schema"), context),
        (None, None) => TypeRef::Json,
    }
}

fn responses(
    s: &mut Schemas<'_>,
    op: &openapiv3::Operation,
    at: &Pointer,
    ctx: &str,
) -> Vec<ResponseCase> {
    let at = at.push("responses");
    let mut out = Vec::new();
    let coded = op.responses.responses.iter().map(|(code, r)| {
        let status = match code {
            StatusCode::Code(c) => c.to_string(),
            StatusCode::Range(r) => format!("{r}XX"),
        };
        (status, r)
    });
    let all: Vec<(String, &ReferenceOr<Response>)> = coded
        .chain(
            op.responses
                .default
                .iter()
                .map(|r| ("default".to_owned(), r)),
        )
        .collect();
    let successes = all.iter().filter(|(st, _)| st.starts_with('2')).count();
    for (status, response) in all {
        let r_at = at.push(&status);
        let Some((response, r_at)) =
            resolve_component(s, response, &r_at, "responses", |c| &c.responses)
        else {
            continue;
        };
        let success = status.starts_with('2') || (status == "default" && successes == 0);
        // `default` → `Default`, `4XX` → `4xx`: the status as words of the name.
        let status_words = status.to_ascii_lowercase().to_upper_camel_case();
        let event_context = if successes > 1 {
            type_ident(&format!("{ctx}Event{status_words}"))
        } else {
            type_ident(&format!("{ctx}Event"))
        };
        let content = response_content(&response.content).map(|(mt, media, decode)| {
            // `*/*` with an object schema (or a list, a number ...): the schema says what comes, and
            // only JSON carries it. A text schema, or one that says nothing (`{}`), stays bytes.
            let structured = media
                .schema
                .as_ref()
                .and_then(|schema| s.resolve(schema))
                .is_some_and(|schema| match &schema.schema_kind {
                    openapiv3::SchemaKind::Type(openapiv3::Type::String(_)) => false,
                    openapiv3::SchemaKind::Any(any) => {
                        any.typ.as_deref().is_some_and(|t| t != "string")
                            || !any.properties.is_empty()
                            || any.items.is_some()
                            || !any.all_of.is_empty()
                            || !any.one_of.is_empty()
                            || !any.any_of.is_empty()
                    }
                    _ => true,
                });
            match decode {
                Decode::Bytes if mt.contains('*') && structured => (mt, media, Decode::Json),
                _ => (mt, media, decode),
            }
        });
        let media_type = content.map(|(mt, _, _)| mt.clone());
        let (body, decode) = match content {
            None => (None, Decode::Empty),
            Some((_, media, Decode::Json | Decode::Text))
                if is_binary(s.spec, media.schema.as_ref()) =>
            {
                (Some(TypeRef::Bytes), Decode::Bytes)
            }
            Some((_, _, Decode::Text)) => (Some(TypeRef::String), Decode::Text),
            Some((_, _, Decode::Bytes)) => (Some(TypeRef::Bytes), Decode::Bytes),
            Some((mt, media, Decode::EventStream)) => {
                let at = r_at.push("content").push(mt);
                (
                    Some(event_data(s, media, &at, &event_context)),
                    Decode::EventStream,
                )
            }
            Some((mt, media, _)) => {
                let ty = match &media.schema {
                    Some(schema) => {
                        let context = if success && successes > 1 {
                            format!("{ctx}Response{status_words}")
                        } else if success {
                            format!("{ctx}Response")
                        } else {
                            format!("{ctx}Error{status_words}")
                        };
                        let ty = s.type_ref(
                            schema,
                            &r_at.push("content").push(mt).push("schema"),
                            &type_ident(&context),
                        );
                        // A nullable answer (`anyOf: [{type: number}, {type: "null"}]`, FastAPI's
                        // `float | None`) is `Option<T>`: `null` is one of the answers it allows.
                        match ty {
                            TypeRef::Json | TypeRef::Nullable(_) => ty,
                            ty if s.nullable(schema) => TypeRef::Nullable(Box::new(ty)),
                            ty => ty,
                        }
                    }
                    None => TypeRef::Json,
                };
                (Some(ty), Decode::Json)
            }
        };
        let events = response
            .content
            .iter()
            .find(|(mt, _)| essence(mt) == EVENT_STREAM)
            .filter(|_| success && decode != Decode::EventStream)
            .map(|(mt, media)| {
                let at = r_at.push("content").push(mt);
                event_data(s, media, &at, &event_context)
            });
        out.push(ResponseCase {
            status,
            summary: first_sentence(&sanitize(&response.description)),
            body,
            decode,
            media_type,
            events,
        });
    }
    out
}

/// Whether a documented response is a success: a 2xx status; a 3xx when no 2xx is documented (a
/// login that answers `303 See Other`: the redirect is the answer, see [`redirect_is_answer`]); or
/// `default` when neither is.
fn is_success(case: &ResponseCase, all: &[ResponseCase]) -> bool {
    let documented = |class: char| all.iter().any(|r| r.status.starts_with(class));
    case.status.starts_with('2')
        || (case.status.starts_with('3') && !documented('2'))
        || (case.status == "default" && !documented('2') && !documented('3'))
}

/// Whether the operation documents redirects and no 2xx: its 3xx answers are its answers.
fn redirect_is_answer(all: &[ResponseCase]) -> bool {
    !all.iter().any(|r| r.status.starts_with('2')) && all.iter().any(|r| r.status.starts_with('3'))
}

/// The success type and how to read it: one type when every success response has the same body, else
/// an enum with one variant per status (`{Op}Success`), decoded by the status received.
fn success_type(
    s: &mut Schemas<'_>,
    responses: &[ResponseCase],
    ctx: &str,
    fn_name: &str,
    at: &Pointer,
) -> (Option<TypeRef>, Decode) {
    let cases: Vec<&ResponseCase> = responses
        .iter()
        .filter(|r| is_success(r, responses))
        .collect();
    let Some(first) = cases.first() else {
        // Nothing documented: whatever comes is read as JSON, if anything.
        return (None, Decode::Json);
    };
    if cases
        .iter()
        .all(|c| c.body == first.body && c.decode == first.decode)
    {
        return match first.decode {
            // A redirect's body (a short HTML page, if any) is not read.
            Decode::Empty if redirect_is_answer(responses) => (None, Decode::Empty),
            // `()` from an empty or absent body: kept as JSON (`null`) reading for the common case.
            Decode::Empty => (None, Decode::Json),
            d => (first.body.clone(), d),
        };
    }
    let mut names = NameIndex::new();
    let variants = cases
        .iter()
        .map(|c| {
            let name = claim_unique(
                &mut names,
                &mut s.sink,
                &status_variant(&c.status),
                &at.push(&c.status),
                "response variant name",
            );
            // A stream of events among several successes is read whole, as text.
            let (ty, decode) = match c.decode {
                Decode::EventStream => (Some(TypeRef::String), Decode::Text),
                decode => (c.body.clone(), decode),
            };
            ResponseVariant {
                name,
                status: c.status.clone(),
                ty,
                decode,
                doc: c.summary.clone(),
            }
        })
        .collect();
    let name = claim_unique(
        &mut s.names,
        &mut s.sink,
        &format!("{ctx}Success"),
        at,
        "type name",
    );
    let doc = format!(
        "The successful answers of [`Client::{fn_name}`](super::Client::{fn_name}), one variant per documented status."
    );
    s.push_type(name.clone(), doc, TypeKind::Responses(variants), at);
    (Some(TypeRef::Named(name)), Decode::ByStatus)
}

/// `200` → `Ok`, `204` → `NoContent`, `2XX` → `Success`, `default` → `Other`.
fn status_variant(status: &str) -> String {
    match status {
        "200" => "Ok",
        "201" => "Created",
        "202" => "Accepted",
        "203" => "NonAuthoritativeInformation",
        "204" => "NoContent",
        "205" => "ResetContent",
        "206" => "PartialContent",
        "207" => "MultiStatus",
        "2XX" => "Success",
        "default" => "Other",
        other => return format!("Status{other}"),
    }
    .to_owned()
}

pub(super) fn is_json(media_type: &str) -> bool {
    let essence = essence(media_type);
    essence == "application/json"
        || essence == "text/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

fn operation_doc(
    op: &openapiv3::Operation,
    method: Method,
    path: &str,
    responses: &[ResponseCase],
    rate_at: &Pointer,
    s: &mut Schemas<'_>,
) -> String {
    let mut doc = String::new();
    if let Some(summary) = &op.summary {
        doc.push_str(&sanitize(summary));
        doc.push_str("\n\n");
    }
    if let Some(description) = &op.description {
        doc.push_str(&sanitize(description));
        doc.push_str("\n\n");
    }
    doc.push_str(&format!("`{} {path}`", method.as_str()));
    if let Some(limit) = op.extensions.get("x-rate-limit") {
        let requests = limit.get("requests").and_then(|v| v.as_u64());
        let per = limit.get("per").and_then(|v| v.as_str());
        match (requests, per) {
            (Some(n), Some(per @ ("second" | "minute" | "hour" | "day"))) => {
                doc.push_str(&format!("\n\nRate limit: {n} requests per {per}."));
            }
            _ => s.sink.error(
                rate_at,
                "`x-rate-limit` must be `{requests: <integer>, per: second|minute|hour|day}`",
            ),
        }
    }
    if !responses.is_empty() {
        doc.push_str("\n\n# Responses\n");
        for r in responses {
            doc.push_str(&format!("\n- {}: {}", r.status, r.summary));
        }
    }
    // The spec's own examples, where it has them: the JSON request body and the success response.
    let request = op.request_body.as_ref().and_then(|b| {
        let (body, _) =
            lookup_component(s.spec, b, rate_at, "requestBodies", |c| &c.request_bodies)?;
        json_example(&body.content)
    });
    let response = op
        .responses
        .responses
        .iter()
        .filter(|(code, _)| matches!(code, StatusCode::Code(200..=299)))
        .find_map(|(_, r)| {
            let (response, _) =
                lookup_component(s.spec, r, rate_at, "responses", |c| &c.responses)?;
            json_example(&response.content)
        });
    for (title, example) in [
        ("Example request body", request),
        ("Example response", response),
    ] {
        if let Some(text) = example.and_then(|v| serde_json::to_string_pretty(&v).ok()) {
            doc.push_str(&format!("\n\n# {title}\n\n```json\n{text}\n```"));
        }
    }
    doc
}

/// The `example` (or first inline `examples` value) of a JSON media type.
fn json_example(content: &IndexMap<String, openapiv3::MediaType>) -> Option<serde_json::Value> {
    let (_, media) = content.iter().find(|(mt, _)| is_json(mt))?;
    media.example.clone().or_else(|| {
        media
            .examples
            .values()
            .find_map(|e| e.as_item()?.value.clone())
    })
}

enum TemplatePart {
    Literal(String),
    Param(String),
}

fn parse_template(path: &str) -> Vec<TemplatePart> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        if open > 0 {
            out.push(TemplatePart::Literal(rest[..open].to_owned()));
        }
        out.push(TemplatePart::Param(rest[open + 1..open + close].to_owned()));
        rest = &rest[open + close + 1..];
    }
    if !rest.is_empty() {
        out.push(TemplatePart::Literal(rest.to_owned()));
    }
    out
}
