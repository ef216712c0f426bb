//! Where each kind of OpenAPI object sits in a document: which child of which object is a schema, a
//! parameter, a response, ... The loader uses it to find the deepest malformed node, to visit every
//! schema and every `$ref`, and to tell which `components` section a referenced node belongs in.

/// What a node of the document should be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Document,
    Paths,
    PathItem,
    Operation,
    Parameter,
    RequestBody,
    Responses,
    Response,
    MediaType,
    Encoding,
    Schema,
    Components,
    SecurityScheme,
    Header,
    Example,
    Link,
    Callback,
    /// A map whose every value is of the inner kind.
    MapOf(&'static Kind),
    /// A list whose every item is of the inner kind.
    ListOf(&'static Kind),
}

/// The operations of a path item.
pub(crate) const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

impl Kind {
    /// The kind of the child `key` of an object of this kind, if the child is an OpenAPI object at all
    /// (descriptions, examples and extensions are not).
    pub(crate) fn child(self, key: &str) -> Option<Kind> {
        use Kind::*;
        let not_extension = || !key.starts_with("x-");
        Some(match (self, key) {
            (Document, "paths") => Paths,
            // OpenAPI 3.1: a map of path items keyed by webhook name instead of by path.
            (Document, "webhooks") => Paths,
            (Document, "components") => Components,
            (Paths, _) if not_extension() => PathItem,
            (PathItem, "parameters") | (Operation, "parameters") => ListOf(&Parameter),
            (PathItem, m) if METHODS.contains(&m) => Operation,
            (Operation, "requestBody") => RequestBody,
            (Operation, "responses") => Responses,
            (Operation, "callbacks") => MapOf(&Callback),
            (Callback, _) => PathItem,
            (Parameter | Header, "schema") | (MediaType, "schema") => Schema,
            (Parameter | Header | RequestBody | Response, "content") => MapOf(&MediaType),
            (Parameter | Header | MediaType, "examples") => MapOf(&Example),
            (MediaType, "encoding") => MapOf(&Encoding),
            (Encoding | Response, "headers") => MapOf(&Header),
            (Responses, _) if not_extension() => Response,
            (Response, "links") => MapOf(&Link),
            (Schema, "properties") => MapOf(&Schema),
            (Schema, "items" | "additionalProperties" | "not") => Schema,
            (Schema, "allOf" | "oneOf" | "anyOf") => ListOf(&Schema),
            // JSON Schema 2020-12 (OpenAPI 3.1): definitions that `$ref`s may point into.
            (Schema, "$defs") => MapOf(&Schema),
            (Components, section) => Kind::of_section(section)?,
            (MapOf(inner), _) => *inner,
            _ => return None,
        })
    }

    /// The kind of the items of a list of this kind.
    pub(crate) fn item(self) -> Option<Kind> {
        match self {
            Kind::ListOf(inner) => Some(*inner),
            _ => None,
        }
    }

    /// The kind of the entries of `components.<section>`, as a map.
    fn of_section(section: &str) -> Option<Kind> {
        use Kind::*;
        Some(MapOf(match section {
            "schemas" => &Schema,
            "parameters" => &Parameter,
            "requestBodies" => &RequestBody,
            "responses" => &Response,
            "headers" => &Header,
            "securitySchemes" => &SecurityScheme,
            "examples" => &Example,
            "links" => &Link,
            "callbacks" => &Callback,
            // OpenAPI 3.1. Not a section of openapiv3's `Components`: the 3.1 stage copies each
            // path item to where it is referenced.
            "pathItems" => &PathItem,
            _ => return None,
        }))
    }

    /// The `components` section that holds objects of this kind.
    pub(crate) fn section(self) -> Option<&'static str> {
        Some(match self {
            Kind::Schema => "schemas",
            Kind::Parameter => "parameters",
            Kind::RequestBody => "requestBodies",
            Kind::Response => "responses",
            Kind::Header => "headers",
            Kind::SecurityScheme => "securitySchemes",
            Kind::Example => "examples",
            Kind::Link => "links",
            Kind::Callback => "callbacks",
            _ => return None,
        })
    }

    /// How a person calls an object of this kind, for messages.
    pub(crate) fn noun(self) -> &'static str {
        match self {
            Kind::Document => "an OpenAPI document",
            Kind::Paths => "a map of paths",
            Kind::PathItem => "a path item",
            Kind::Operation => "an operation",
            Kind::Parameter => "a parameter",
            Kind::RequestBody => "a request body",
            Kind::Responses => "a map of responses",
            Kind::Response => "a response",
            Kind::MediaType => "a media type object",
            Kind::Encoding => "an encoding object",
            Kind::Schema => "a schema",
            Kind::Components => "a components object",
            Kind::SecurityScheme => "a security scheme",
            Kind::Header => "a header",
            Kind::Example => "an example object",
            Kind::Link => "a link",
            Kind::Callback => "a callback",
            Kind::MapOf(_) => "a map",
            Kind::ListOf(_) => "a list",
        }
    }
}

/// The kind of the node at a pointer (its reference tokens, unescaped), if it is an OpenAPI object.
pub(crate) fn kind_at<S: AsRef<str>>(tokens: &[S]) -> Option<Kind> {
    tokens.iter().try_fold(Kind::Document, |kind, token| {
        let token = token.as_ref();
        match kind {
            Kind::ListOf(_) => token.parse::<usize>().ok().and_then(|_| kind.item()),
            _ => kind.child(token),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_follow_the_structure_of_a_document() {
        let at = |p: &str| kind_at(&p.split('/').collect::<Vec<_>>());
        assert_eq!(
            at("components/schemas/Disk/properties/fs"),
            Some(Kind::Schema)
        );
        assert_eq!(
            at("components/responses/Conflict/content/application/json/schema"),
            None,
            "tokens are unescaped: a media type is one token"
        );
        let tokens = [
            "components",
            "responses",
            "Conflict",
            "content",
            "application/json",
            "schema",
        ];
        assert_eq!(kind_at(&tokens), Some(Kind::Schema));
        assert_eq!(at("paths/~1a/put/responses/204"), Some(Kind::Response));
        assert_eq!(at("paths/~1a/put/parameters/0"), Some(Kind::Parameter));
        assert_eq!(at("paths/~1a/put/parameters/x"), None);
        assert_eq!(at("paths/~1a/put/requestBody"), Some(Kind::RequestBody));
        assert_eq!(at("components/parameters/p/schema"), Some(Kind::Schema));
        assert_eq!(at("components/schemas/A/oneOf/0"), Some(Kind::Schema));
        assert_eq!(at("paths/x-ext/get"), None);
        assert_eq!(at("info/title"), None);
    }

    #[test]
    fn sections_name_their_kinds() {
        for section in [
            "schemas",
            "parameters",
            "requestBodies",
            "responses",
            "headers",
            "examples",
        ] {
            let kind = kind_at(&["components", section, "k"]).expect("a section");
            assert_eq!(kind.section(), Some(section));
        }
    }
}
