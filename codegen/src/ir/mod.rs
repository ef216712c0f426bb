//! The checked intermediate representation: everything the emitters need, nothing they must re-check.
//!
//! Lowering (`lower`) turns an `openapiv3::OpenAPI` into an [`Api`], resolving every `$ref`, naming every
//! type once (`names`), and collecting every problem as a diagnostic. An `Api` that exists is valid:
//! the emitters are pure functions that cannot fail.

mod lower;
pub(crate) mod names;
pub mod prose;
mod schema;
mod security;
pub mod usage;
mod webhooks;

pub use lower::lower;

use std::collections::BTreeMap;

/// A whole API, ready to emit.
#[derive(Debug, Clone, PartialEq)]
pub struct Api {
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// `info.description`.
    pub description: Option<String>,
    /// The first server's URL: the client's default base URL.
    pub base_url: String,
    /// Environment variable that overrides the base URL (`servers[0].x-env`).
    pub base_url_env: Option<String>,
    /// How requests are authenticated.
    pub auth: Auth,
    /// Named types, in a stable order: component schemas in spec order, then inline types in the
    /// order operations use them.
    pub types: Vec<TypeDef>,
    /// Operations in spec order (paths, then methods in the order get, put, post, delete, options,
    /// head, patch, trace).
    pub operations: Vec<Operation>,
    /// The webhooks the API sends (3.1).
    pub webhooks: Webhooks,
    /// What the generator worked around (fallback types, renamed items, checks left out).
    pub warnings: Vec<crate::Diagnostic>,
}

impl Api {
    /// Looks up a named type.
    pub fn type_def(&self, name: &str) -> Option<&TypeDef> {
        self.types.iter().find(|t| t.name == name)
    }
}

/// Credentials and the signing rule, from `components.securitySchemes`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Auth {
    /// The request-signing rule (`x-signing` on an apiKey scheme), if the spec declares one.
    pub signing: Option<Signing>,
    /// Every other credential (headers, query parameters, cookies, basic, bearer), in spec order.
    pub credentials: Vec<Credential>,
    /// The environment variable prefix derived from the API's title (`PETSTORE` for "Petstore API"),
    /// for variables the spec does not name.
    pub env_prefix: String,
    /// The spec's top-level `security`: the requirement of operations that declare none. `None` when
    /// the spec declares none (such operations send every configured credential).
    pub security: Option<Requirement>,
}

/// A security requirement: its alternatives in order, each the scheme keys (of
/// `components.securitySchemes`) that must be sent together. Empty: `security: []`, nothing is sent.
pub type Requirement = Vec<Vec<String>>;

/// A credential the caller supplies: one field of the generated `Credentials` struct.
#[derive(Debug, Clone, PartialEq)]
pub struct Credential {
    /// Rust field name in the generated `Credentials` struct.
    pub field: String,
    /// The security scheme it belongs to: its key under `components.securitySchemes`.
    pub scheme: String,
    /// What it is and where it is sent.
    pub kind: CredentialKind,
    /// Environment variable `Credentials::from_env` reads it from (for basic credentials: the prefix
    /// of `<env>_USERNAME` and `<env>_PASSWORD`).
    pub env: Option<String>,
    /// Documentation.
    pub doc: String,
    /// Every security requirement of every authenticated operation names its scheme; otherwise the
    /// field is an `Option` (the spec offers alternatives, or no operation requires it).
    pub required: bool,
}

/// The kind of a credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialKind {
    /// The signing secret: never sent.
    SigningSecret,
    /// A plain value sent in this header (`x-credential`: a client id, a workspace name).
    Header(String),
    /// An API key, kept secret, sent as `name` in a header, the query string or a cookie.
    ApiKey {
        /// Where it goes.
        location: ApiKeyIn,
        /// The header, query parameter or cookie name.
        name: String,
    },
    /// HTTP basic authentication: a user name and password.
    Basic,
    /// A bearer token (`http` bearer, or an OAuth 2 / OpenID Connect access token the caller obtains).
    Bearer,
}

/// Where an API key is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiKeyIn {
    /// A request header.
    Header,
    /// A query parameter.
    Query,
    /// A cookie.
    Cookie,
}

/// A declared HMAC request-signing rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Signing {
    /// Header carrying the signature.
    pub header: String,
    /// Text in front of the hex digest (`sha256=`).
    pub prefix: String,
    /// Header carrying the Unix-seconds timestamp.
    pub timestamp_header: String,
    /// The parts of the string to sign, in order, joined with no separator.
    pub parts: Vec<SignedPart>,
    /// Which form of the path is signed.
    pub path: PathForm,
    /// What is signed as the body of a multipart request.
    pub multipart_body: MultipartBody,
    /// The status the server answers a signed request whose timestamp is too far from its clock
    /// (`clock-skew-status`), which lets the client learn the server's clock from that answer.
    pub clock_skew_status: Option<u16>,
    /// The secret key.
    pub secret: Credential,
    /// Name of the security scheme that declares it.
    pub scheme: String,
}

/// One part of the string to sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignedPart {
    /// The uppercase HTTP method.
    Method,
    /// The path (see [`PathForm`]).
    Path,
    /// `""` or `?` followed by the query string as sent.
    Query,
    /// The timestamp header's value.
    Timestamp,
    /// The body bytes as sent.
    Body,
}

/// Which path is signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathForm {
    /// Relative to the server URL's path: `/contacts`, not `/api/developer/contacts`.
    RelativeToServer,
    /// The full URL path.
    Full,
}

/// What is signed for a multipart body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MultipartBody {
    /// The encoded bytes as sent.
    Raw,
    /// Nothing (an empty string).
    Empty,
}

/// A named Rust type.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeDef {
    /// Rust name, unique in the API.
    pub name: String,
    /// Documentation (markdown).
    pub doc: String,
    /// What it is.
    pub kind: TypeKind,
    /// Where it was declared.
    pub pointer: String,
}

/// The shape of a named type.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeKind {
    /// An object with known properties.
    Struct(Struct),
    /// Another name for a type (`pub type PhoneNumber = String`), keeping the schema's docs and rules.
    Alias(TypeRef, Box<Constraints>),
    /// A string enum with a fallback variant for values added later.
    Enum(Enum),
    /// One of several shapes (`oneOf`, or `anyOf` decoded the same way).
    OneOf(OneOf),
    /// The request body of an operation that accepts several content types: the caller picks one.
    BodyChoice(Vec<BodyVariant>),
    /// The success answer of an operation whose statuses carry different bodies: one variant per
    /// documented status, decoded by the status received.
    Responses(Vec<ResponseVariant>),
}

/// A string enum. Every enum decodes values it does not know into its `Unknown` variant; a closed one
/// (`x-closed: true`: the spec lists every value the API accepts) also refuses to send them.
#[derive(Debug, Clone, PartialEq)]
pub struct Enum {
    /// The values, in spec order.
    pub values: Vec<EnumValue>,
    /// Whether requests may only carry the listed values.
    pub closed: bool,
}

/// One value of a string enum.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumValue {
    /// The value on the wire.
    pub wire: String,
    /// The Rust variant name, unique in the enum.
    pub variant: String,
    /// Documentation (`x-enum-descriptions`).
    pub doc: String,
}

/// A `oneOf` or `anyOf`: an enum, tagged by its discriminator or untagged (the first variant that
/// fits wins).
#[derive(Debug, Clone, PartialEq)]
pub struct OneOf {
    /// Variants in spec order (for an untagged union: the order they are tried in).
    pub variants: Vec<Variant>,
    /// The discriminator, when the spec declares one: the union is then tagged by that property, and
    /// unknown tags fall back to an `Unknown` variant holding the raw JSON.
    pub discriminator: Option<Discriminator>,
}

/// A variant of a `oneOf`.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    /// Rust variant name.
    pub name: String,
    /// The variant's type.
    pub ty: TypeRef,
    /// Documentation.
    pub doc: String,
    /// Held in a `Box`: the variant's type contains the union itself.
    pub boxed: bool,
}

/// The property that says which variant a value is.
#[derive(Debug, Clone, PartialEq)]
pub struct Discriminator {
    /// The JSON property name.
    pub property: String,
    /// Tag value → index into `variants`, in spec order.
    pub mapping: Vec<(String, usize)>,
}

/// One way of sending a body.
#[derive(Debug, Clone, PartialEq)]
pub struct BodyVariant {
    /// Rust variant name (`Json`, `Multipart`).
    pub name: String,
    /// How it is encoded.
    pub encoding: BodyEncoding,
    /// Its type.
    pub ty: TypeRef,
    /// The media type sent as `Content-Type`.
    pub content_type: String,
}

/// One documented success status of an operation with several success body types.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseVariant {
    /// Rust variant name (`Ok`, `Created`, `Status206`).
    pub name: String,
    /// The statuses it stands for: `200`, `2XX` or `default`.
    pub status: String,
    /// Its body type (`None`: no body).
    pub ty: Option<TypeRef>,
    /// How the body is read.
    pub decode: Decode,
    /// Documentation: the response's description.
    pub doc: String,
}

/// How a response body is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decode {
    /// JSON, into the body type (an empty body reads as `null`).
    Json,
    /// UTF-8 text, into a `String`.
    Text,
    /// The raw bytes.
    Bytes,
    /// Nothing is read: the operation documents no body.
    Empty,
    /// By the status received, into a [`TypeKind::Responses`] enum.
    ByStatus,
    /// A `text/event-stream`: a stream of events, each event's data read into the body type (JSON, or
    /// the text itself for a string).
    EventStream,
}

/// A struct.
#[derive(Debug, Clone, PartialEq)]
pub struct Struct {
    /// Fields in spec order.
    pub fields: Vec<Field>,
    /// True when it is a multipart form body: it gets `to_form` instead of serde.
    pub form: bool,
    /// The properties not listed (`additionalProperties` next to `properties`): a map flattened into
    /// the struct. Never set on a form.
    pub additional: Option<Additional>,
}

/// The field holding an object's other properties: `#[serde(flatten)] pub additional: BTreeMap<String, T>`.
#[derive(Debug, Clone, PartialEq)]
pub struct Additional {
    /// Rust field name, distinct from every property's.
    pub rust_name: String,
    /// The type of each value.
    pub ty: TypeRef,
}

/// A struct field, query parameter or form field.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Name on the wire.
    pub wire_name: String,
    /// Rust identifier (may be a raw identifier such as `r#type`).
    pub rust_name: String,
    /// Type, without the `Option` for optional or nullable fields.
    pub ty: TypeRef,
    /// Must be present.
    pub required: bool,
    /// May be `null`.
    pub nullable: bool,
    /// Documentation (markdown).
    pub doc: String,
    /// Documented constraints.
    pub constraints: Constraints,
    /// Held in a `Box`: the field's type contains the struct itself (a recursive type).
    pub boxed: bool,
    /// For a parameter: where it is sent and how it is written. `None` for struct and form fields.
    pub param: Option<ParamWire>,
}

/// Where and how a parameter travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamWire {
    /// Path, query string, header or cookie.
    pub location: ParamLocation,
    /// How an array or object value is written (`style`).
    pub style: ParamStyle,
    /// `explode`: one `name=value` pair per item or property, or one pair with the values joined.
    pub explode: bool,
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamLocation {
    /// A segment of the path (an argument of the method).
    Path,
    /// In the query string.
    Query,
    /// A request header.
    Header,
    /// A `Cookie` header pair.
    Cookie,
}

/// OpenAPI parameter styles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamStyle {
    /// `name=a&name=b` (exploded) or `name=a,b`; the default for query and cookie parameters.
    Form,
    /// `a,b`: the default for path and header parameters.
    Simple,
    /// `name=a%20b` (values joined with spaces).
    SpaceDelimited,
    /// `name=a|b`.
    PipeDelimited,
    /// `name[key]=value` for each property of an object.
    DeepObject,
}

impl Field {
    /// Whether the Rust field is an `Option`.
    pub fn optional(&self) -> bool {
        !self.required || self.nullable
    }
}

/// Documented limits of a value.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Constraints {
    /// Regular expression a string must match.
    pub pattern: Option<String>,
    /// Minimum string length (characters).
    pub min_length: Option<usize>,
    /// Maximum string length (characters).
    pub max_length: Option<usize>,
    /// Smallest allowed number.
    pub minimum: Option<f64>,
    /// Largest allowed number.
    pub maximum: Option<f64>,
    /// The value must be above `minimum`, not equal to it (documented; the check before sending
    /// allows the bound itself, so it never refuses a valid value).
    pub exclusive_minimum: bool,
    /// The value must be below `maximum` (as `exclusive_minimum`).
    pub exclusive_maximum: bool,
    /// Fewest array items.
    pub min_items: Option<usize>,
    /// Most array items.
    pub max_items: Option<usize>,
    /// Largest file, in bytes (`x-max-bytes`).
    pub max_bytes: Option<u64>,
    /// Allowed content types of a file part (multipart `encoding.contentType`).
    pub content_types: Vec<String>,
    /// The allowed values of a non-string `enum` (string enums become enum types instead).
    pub allowed: Vec<serde_json::Value>,
    /// What the allowed values mean (`x-enum-descriptions`), in the order of `allowed`.
    pub allowed_docs: Vec<String>,
    /// Default value, as JSON.
    pub default: Option<serde_json::Value>,
}

/// A reference to a type.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TypeRef {
    /// `String`.
    String,
    /// `bool`.
    Bool,
    /// `i32`.
    I32,
    /// `i64`.
    I64,
    /// `i8` (`format: int8`).
    I8,
    /// `i16` (`format: int16`).
    I16,
    /// `u8` (`format: uint8`).
    U8,
    /// `u16` (`format: uint16`).
    U16,
    /// `u32` (`format: uint32`).
    U32,
    /// `u64` (`format: uint64`).
    U64,
    /// `f32`.
    F32,
    /// `f64`.
    F64,
    /// An RFC 3339 timestamp.
    DateTime,
    /// A `YYYY-MM-DD` date.
    Date,
    /// A timestamp sent as an integer of Unix seconds (`format: unix-time`).
    UnixTime,
    /// An exact decimal number (`format: decimal`), for money: `f64` cannot hold most cents exactly.
    Decimal,
    /// A file part of a multipart body.
    File,
    /// Any JSON value.
    Json,
    /// A UUID (`format: uuid`).
    Uuid,
    /// Bytes carried as base64 text in JSON (`format: byte`).
    Base64,
    /// Raw bytes: a binary request or response body (`application/octet-stream`, images, ...).
    Bytes,
    /// A named type.
    Named(String),
    /// A list.
    Vec(Box<TypeRef>),
    /// A map with string keys.
    Map(Box<TypeRef>),
    /// `Option<T>`: an array item or map value that may be `null` (a field says so with its own
    /// `nullable`; a `serde_json::Value` is never wrapped, it holds `null` itself).
    Nullable(Box<TypeRef>),
    /// A JSON array of fixed length with a type per position (3.1 `prefixItems`): a Rust tuple.
    Tuple(Vec<TypeRef>),
}

/// An HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Method {
    /// GET
    Get,
    /// PUT
    Put,
    /// POST
    Post,
    /// DELETE
    Delete,
    /// OPTIONS
    Options,
    /// HEAD
    Head,
    /// PATCH
    Patch,
    /// TRACE
    Trace,
}

impl Method {
    /// The uppercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Head => "HEAD",
            Method::Patch => "PATCH",
            Method::Trace => "TRACE",
        }
    }
}

/// One operation: a method on the client.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// `operationId` (or one synthesized from method and path).
    pub id: String,
    /// Whether `id` was synthesized: the spec gives the operation no `operationId`.
    pub synthesized_id: bool,
    /// Rust method name.
    pub fn_name: String,
    /// HTTP method.
    pub method: Method,
    /// Path template as in the spec: `/contacts/{id}`.
    pub path: String,
    /// The template split into literal text and parameters.
    pub segments: Vec<Segment>,
    /// Documentation (markdown): summary, description, method and path, rate limit, responses.
    pub doc: String,
    /// `deprecated: true`.
    pub deprecated: bool,
    /// Path parameters, in template order.
    pub path_params: Vec<Field>,
    /// Query, header and cookie parameters, gathered in a struct (each field's `param` says where it goes).
    pub query: Option<Query>,
    /// The request body.
    pub body: Option<Body>,
    /// Every documented response.
    pub responses: Vec<ResponseCase>,
    /// The `Accept` header the operation sends, when its answers are not plain JSON (`text/csv`,
    /// `application/vnd.api+json`, ...), or when the spec fixes it; `None`: the client's
    /// `application/json`.
    pub accept: Option<String>,
    /// The `Content-Type` an operation sends when it sends no body (a body's own replaces it), because
    /// the spec fixes it with a parameter (which OpenAPI says to ignore, but servers and validators
    /// check): PagerDuty's `Content-Type: application/json` on every request.
    pub fixed_content_type: Option<String>,
    /// Query pairs the spec writes into the path's key (`/responses?beta=true`), sent with every call
    /// before the operation's own query parameters.
    pub fixed_query: Vec<(String, String)>,
    /// The operation documents redirects (3xx) and no 2xx: a redirect is its answer, not an error.
    pub redirect_is_answer: bool,
    /// Body type of the success responses (`None`: no body).
    pub success: Option<TypeRef>,
    /// How the success body is read.
    pub decode: Decode,
    /// Body type of the error responses.
    pub error: TypeRef,
    /// Whether the request carries the credentials and signature (false for `security: []`).
    pub authenticated: bool,
    /// The operation's own security requirement, when it declares one that is neither `[]` (see
    /// `authenticated`) nor the spec's top-level one (which applies otherwise).
    pub security: Option<Requirement>,
    /// The type of each event's data, when a success response offers `text/event-stream` besides the
    /// media type the operation's method reads: such an operation also gets a `{name}_events` method.
    pub events: Option<TypeRef>,
    /// How to walk every page (`x-pagination`), for list operations.
    pub pagination: Option<Pagination>,
}

/// A page-numbered list operation (`x-pagination: {page, items, last-page}`).
#[derive(Debug, Clone, PartialEq)]
pub struct Pagination {
    /// The query struct's field holding the page number.
    pub page_field: String,
    /// The page number's type (`I32` or `I64`).
    pub page_type: TypeRef,
    /// The path from the response body to the list of items.
    pub items: Vec<Step>,
    /// The item type.
    pub item_type: TypeRef,
    /// The path from the response body to the number of the last page.
    pub last_page: Vec<Step>,
}

/// One field on a path through response structs.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// Rust field name.
    pub field: String,
    /// Whether the field is an `Option`.
    pub optional: bool,
}

/// A piece of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// Literal text.
    Literal(String),
    /// The path parameter with this index in `path_params`.
    Param(usize),
}

/// The query parameters of an operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// Name of the generated struct.
    pub type_name: String,
    /// One field per parameter, in spec order.
    pub params: Vec<Field>,
}

/// A request body.
#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    /// `requestBody.required`: when false (the default), the body is an optional argument.
    pub required: bool,
    /// How it is encoded.
    pub encoding: BodyEncoding,
    /// Its type (for multipart: a named form struct).
    pub ty: TypeRef,
    /// The media type sent as `Content-Type` (for a choice: empty, each variant has its own).
    pub content_type: String,
}

/// Request body encodings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyEncoding {
    /// `application/json`.
    Json,
    /// `multipart/form-data`, encoded by the client's own encoder.
    Multipart,
    /// `application/x-www-form-urlencoded`: the body's JSON form flattened into `key=value` pairs
    /// (nested objects as `key[sub]=value`).
    Form,
    /// Raw bytes with the declared media type (`application/octet-stream`, `image/png`, `*/*` ...).
    Binary,
    /// UTF-8 text with the declared media type (`text/plain`, `text/csv` ...).
    Text,
    /// One of several content types: the type is a [`TypeKind::BodyChoice`] enum.
    Choice,
}

/// A documented response.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseCase {
    /// `201`, `4XX` or `default`.
    pub status: String,
    /// First sentence of its description.
    pub summary: String,
    /// Its body type, if any (`String` for text, `Bytes` for other non-JSON media types).
    pub body: Option<TypeRef>,
    /// How its body is read.
    pub decode: Decode,
    /// The media type its body is read as (the first JSON one, else text, else any), if it has one.
    pub media_type: Option<String>,
    /// The type of each event's data, when the response also offers `text/event-stream` (and another
    /// media type is read as its body).
    pub events: Option<TypeRef>,
}

/// Where the spec's types are declared, by Rust name (for collision messages).
pub type NameIndex = BTreeMap<String, String>;

/// The webhooks the API sends (3.1 `webhooks`), as one generated enum with a parse helper.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Webhooks {
    /// Rust name of the enum (`Webhook`, unless a schema is called that).
    pub enum_name: String,
    /// Rust name of the error its parse functions return.
    pub error_name: String,
    /// One per entry of `webhooks`, in spec order (none: nothing is generated).
    pub events: Vec<Webhook>,
    /// The JSON property whose value tells every payload apart, when there is one: the enum then
    /// also parses a body without being told the webhook's name.
    pub tag: Option<String>,
}

/// One webhook.
#[derive(Debug, Clone, PartialEq)]
pub struct Webhook {
    /// Its key in `webhooks` (`invoice.paid`).
    pub name: String,
    /// Rust variant name, unique in the enum.
    pub variant: String,
    /// Documentation (markdown).
    pub doc: String,
    /// The request body's type (`None`: the spec documents none).
    pub payload: Option<TypeRef>,
    /// How the body is read: `Json`, `Text`, `Bytes`, or `Empty` when there is none.
    pub decode: Decode,
    /// This payload's value of [`Webhooks::tag`].
    pub tag: Option<String>,
}
