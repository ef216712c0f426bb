//! [`Request`]: what an operation hands to the client (method, path, query, headers, body), and the strict
//! percent-encoding used for path and query values.
//!
//! Everything is encoded here, once, with one rule (only RFC 3986 unreserved characters stay as they are;
//! space is `%20`, never `+`). URL parsing afterwards finds nothing left to re-encode, so the path and query
//! that are signed are byte for byte the ones sent.

#[cfg(feature = "multipart")]
use crate::multipart::Form;
use bytes::Bytes;
use std::fmt::{self, Display, Write as _};

/// One API call, before it is signed and sent. Filled by the generated operation methods.
#[derive(Debug)]
pub struct Request {
    pub(crate) method: reqwest::Method,
    pub(crate) path: String,
    pub(crate) query: String,
    pub(crate) headers: Vec<(&'static str, String)>,
    /// `name=value` pairs for the `Cookie` header, `; `-joined, percent-encoded.
    pub(crate) cookies: String,
    pub(crate) body: Body,
    /// The operation's own security requirement (`Some(&[])` for `security: []`: no credentials, no
    /// signature); `None` when it declares none and the client's default applies.
    pub(crate) security: Option<crate::SecurityRequirement>,
    /// The operation's id in the spec (`operationId`), for hooks and tracing.
    pub(crate) operation: Option<&'static str>,
    /// The media type asked for, replacing the client's `Accept` header.
    pub(crate) accept: Option<&'static str>,
    /// A 3xx answer is the operation's answer, not an error: it documents redirects and no 2xx.
    pub(crate) redirect_is_answer: bool,
    /// Parameters whose values could not be serialized: (name, why), reported by `Client::send`.
    pub(crate) errors: Vec<(&'static str, String)>,
    /// The documented limits the inputs break, reported by `Client::send` before anything is sent.
    pub(crate) invalid: Vec<crate::validate::ValidationError>,
}

/// The request body, kept in the form it was given until the client encodes it.
#[derive(Debug)]
pub(crate) enum Body {
    None,
    /// Compact JSON, already serialized; or why serialization failed (reported by `Client::send`).
    Json(Result<Bytes, String>),
    /// Encoded by `Client::send`, which owns the boundary source.
    #[cfg(feature = "multipart")]
    Multipart(Form),
    /// Bytes already in their final form, with their media type (form-urlencoded, text, binary, or
    /// JSON under a media type other than `application/json`); or why encoding failed.
    Encoded {
        content_type: &'static str,
        bytes: Result<Bytes, String>,
    },
    /// Bytes in memory, a file or a reader, with their media type; streamed unless in memory.
    #[cfg(feature = "files")]
    Upload {
        content_type: &'static str,
        upload: crate::Upload,
    },
}

impl Request {
    /// A request for `path`, relative to the client's base URL, starting with `/`, with every dynamic segment
    /// already passed through [`encode_path`].
    pub fn new(method: reqwest::Method, path: String) -> Self {
        Self {
            method,
            path,
            query: String::new(),
            headers: Vec::new(),
            cookies: String::new(),
            body: Body::None,
            security: None,
            operation: None,
            accept: None,
            redirect_is_answer: false,
            errors: Vec::new(),
            invalid: Vec::new(),
        }
    }

    /// A request for the operation `operation_id` (its `operationId` in the spec, which hooks and tracing
    /// see), otherwise as [`Request::new`].
    pub fn for_operation(
        operation_id: &'static str,
        method: reqwest::Method,
        path: String,
    ) -> Self {
        let mut request = Self::new(method, path);
        request.operation = Some(operation_id);
        request
    }

    /// Checks the operation's inputs (`("query", &query)`, `("body", &body)`) against the limits their
    /// spec documents. Every problem found is kept, and `Client::send` returns them all as
    /// [`Error::Validation`](crate::Error::Validation) without sending anything.
    pub fn check(&mut self, inputs: &[(&'static str, &dyn crate::validate::Validate)]) {
        if let Err(problems) = crate::validate::check(inputs) {
            self.invalid.extend(problems);
        }
    }

    /// Sends this request without credentials and without a signature, for operations the spec
    /// declares public (`security: []`). The same as `security(&[])`.
    pub fn without_auth(&mut self) {
        self.security = Some(&[]);
    }

    /// The operation's own security requirement, replacing the client's default
    /// ([`Auth::security`](crate::Auth::security)): the request carries the credentials of its first
    /// alternative that the client's credentials meet, and fails with
    /// [`Error::MissingCredentials`](crate::Error::MissingCredentials) before sending when none is met.
    pub fn security(&mut self, requirement: crate::SecurityRequirement) {
        self.security = Some(requirement);
    }

    /// Asks for `media_type` in the `Accept` header instead of the client's (`application/json`).
    pub fn accept(&mut self, media_type: &'static str) {
        self.accept = Some(media_type);
    }

    /// Takes a 3xx answer as this operation's answer rather than an error, for an operation whose spec
    /// documents redirects and no 2xx (a login that answers `303 See Other`). The client follows no
    /// redirect either way.
    pub fn redirect_is_answer(&mut self) {
        self.redirect_is_answer = true;
    }

    /// Appends `name=value` to the query string, percent-encoded, in call order.
    pub fn query(&mut self, name: &'static str, value: &impl Display) {
        if !self.query.is_empty() {
            self.query.push('&');
        }
        push_encoded(&mut self.query, name);
        self.query.push('=');
        push_encoded(&mut self.query, value);
    }

    /// Appends `name=value` when `value` is `Some`; an absent parameter is left out.
    pub fn query_opt<T: Display>(&mut self, name: &'static str, value: Option<&T>) {
        if let Some(value) = value {
            self.query(name, value);
        }
    }

    /// Adds a header. An invalid name or value is reported by `Client::send` as
    /// [`Error::InvalidRequest`](crate::Error::InvalidRequest), before anything is sent.
    pub fn header(&mut self, name: &'static str, value: &impl Display) {
        self.headers.push((name, value.to_string()));
    }

    /// Appends the query pairs of an array or object parameter, written as `style` and `explode` say
    /// ([`crate::params`]); `None` and null values are left out. A value that cannot be serialized is
    /// reported by `Client::send` as [`Error::InvalidRequest`](crate::Error::InvalidRequest).
    pub fn query_value(
        &mut self,
        name: &'static str,
        value: &impl serde::Serialize,
        style: crate::params::Style,
        explode: bool,
    ) {
        match crate::params::to_json(value) {
            Ok(json) => crate::params::push_query(&mut self.query, name, &json, style, explode),
            Err(message) => self.errors.push((name, message)),
        }
    }

    /// Adds a header carrying an array or object parameter (`simple` style: `a,b`, or `k=v,k2=v2`
    /// exploded); a `None` or null value sends no header.
    pub fn header_value(
        &mut self,
        name: &'static str,
        value: &impl serde::Serialize,
        explode: bool,
    ) {
        match crate::params::to_json(value) {
            Ok(json) => {
                if let Some(text) = crate::params::simple(&json, explode, false) {
                    self.headers.push((name, text));
                }
            }
            Err(message) => self.errors.push((name, message)),
        }
    }

    /// Adds `name=value` to the `Cookie` header (`form` style, not exploded: arrays as `a,b`), values
    /// percent-encoded; a `None` or null value is left out.
    pub fn cookie(&mut self, name: &'static str, value: &impl serde::Serialize) {
        match crate::params::to_json(value) {
            Ok(json) => {
                if let Some(text) = crate::params::simple(&json, false, true) {
                    if !self.cookies.is_empty() {
                        self.cookies.push_str("; ");
                    }
                    push_encoded(&mut self.cookies, name);
                    self.cookies.push('=');
                    self.cookies.push_str(&text);
                }
            }
            Err(message) => self.errors.push((name, message)),
        }
    }

    /// Sets a JSON body sent under another JSON media type (`application/merge-patch+json` ...).
    pub fn json_as<T: serde::Serialize>(&mut self, content_type: &'static str, body: &T) {
        self.body = Body::Encoded {
            content_type,
            bytes: serde_json::to_vec(body)
                .map(Bytes::from)
                .map_err(|e| e.to_string()),
        };
    }

    /// Sets an `application/x-www-form-urlencoded` body: the fields of `body` as `name=value` pairs,
    /// nested values in brackets ([`crate::params`]).
    pub fn form<T: serde::Serialize>(&mut self, content_type: &'static str, body: &T) {
        let bytes = crate::params::to_json(body)
            .and_then(|json| crate::params::form_body(&json))
            .map(Bytes::from);
        self.body = Body::Encoded {
            content_type,
            bytes,
        };
    }

    /// Sets a body of raw bytes (`application/octet-stream`, images ...); `Bytes` clones share the data.
    pub fn bytes(&mut self, content_type: &'static str, body: Bytes) {
        self.body = Body::Encoded {
            content_type,
            bytes: Ok(body),
        };
    }

    /// Sets a binary body that may be a file or a reader ([`Upload`](crate::Upload)): in memory it is
    /// sent as [`bytes`](Self::bytes) would; from a path or a reader it is streamed, never loaded whole.
    #[cfg(feature = "files")]
    pub fn upload(&mut self, content_type: &'static str, body: crate::Upload) {
        self.body = Body::Upload {
            content_type,
            upload: body,
        };
    }

    /// Sets a text body (`text/plain`, `text/csv`, `application/xml` ...), sent as UTF-8.
    pub fn text(&mut self, content_type: &'static str, body: &str) {
        self.body = Body::Encoded {
            content_type,
            bytes: Ok(Bytes::copy_from_slice(body.as_bytes())),
        };
    }

    /// Sets a JSON body, serialized here, once, to compact bytes; those bytes are signed and sent.
    /// A serialization error is kept and reported by `Client::send`.
    pub fn json<T: serde::Serialize>(&mut self, body: &T) {
        self.body = Body::Json(
            serde_json::to_vec(body)
                .map(Bytes::from)
                .map_err(|e| e.to_string()),
        );
    }

    /// Sets a `multipart/form-data` body, encoded by `Client::send` with the client's boundary source.
    #[cfg(feature = "multipart")]
    pub fn multipart(&mut self, form: Form) {
        self.body = Body::Multipart(form);
    }
}

/// Percent-encodes one path segment: everything but RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`).
///
/// ```
/// use openapi_client_runtime::request::encode_path;
/// assert_eq!(format!("/contacts/{}", encode_path(&"a b/c?")), "/contacts/a%20b%2Fc%3F");
/// ```
pub fn encode_path(value: &impl Display) -> String {
    let mut out = String::new();
    push_encoded(&mut out, value);
    out
}

/// Formats `value` straight into the encoder, so no intermediate string is built.
pub(crate) fn push_encoded(out: &mut String, value: &(impl Display + ?Sized)) {
    // Writing to a String never fails, and `Encoder::write_str` never returns an error; a `Display` impl
    // that fails on its own leaves a partial value, which is what `to_string` would have panicked on.
    let _ = write!(Encoder(out), "{value}");
}

struct Encoder<'a>(&'a mut String);

impl fmt::Write for Encoder<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        let unreserved =
            |byte: u8| byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~');
        let mut rest = s;
        while !rest.is_empty() {
            // A run of unreserved characters is copied at once; it is ASCII, so it ends on a char boundary.
            let run = rest.bytes().take_while(|&byte| unreserved(byte)).count();
            self.0.push_str(&rest[..run]);
            rest = &rest[run..];
            if let Some(ch) = rest.chars().next() {
                let mut utf8 = [0u8; 4];
                for &byte in ch.encode_utf8(&mut utf8).as_bytes() {
                    self.0.push('%');
                    self.0.push(char::from(HEX[usize::from(byte >> 4)]));
                    self.0.push(char::from(HEX[usize::from(byte & 0x0f)]));
                }
                rest = &rest[ch.len_utf8()..];
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_keep_only_unreserved_characters() {
        assert_eq!(encode_path(&"Ahmed Mohammed"), "Ahmed%20Mohammed");
        assert_eq!(encode_path(&"AZaz09-._~"), "AZaz09-._~");
        assert_eq!(
            encode_path(&"a/b?c#d&e=f+g%h"),
            "a%2Fb%3Fc%23d%26e%3Df%2Bg%25h"
        );
        assert_eq!(
            encode_path(&":@!$'()*,;[]"),
            "%3A%40%21%24%27%28%29%2A%2C%3B%5B%5D"
        );
        assert_eq!(encode_path(&"مرحبا"), "%D9%85%D8%B1%D8%AD%D8%A8%D8%A7");
        assert_eq!(encode_path(&"é😀"), "%C3%A9%F0%9F%98%80");
        assert_eq!(encode_path(&"\r\n\0"), "%0D%0A%00");
        assert_eq!(encode_path(&42_i64), "42");
        assert_eq!(encode_path(&-1_i64), "-1");
        assert_eq!(encode_path(&""), "");
    }

    #[test]
    fn query_is_encoded_strictly_and_in_call_order() {
        let mut request = Request::new(reqwest::Method::GET, "/contacts".to_owned());
        request.query("searchTerm", &"Ahmed Mohammed+1 & co");
        request.query_opt("page", Some(&2));
        request.query_opt("missing", None::<&u32>);
        request.query("is_favorite", &true);
        request.query("name", &"مرحبا");
        assert_eq!(
            request.query,
            "searchTerm=Ahmed%20Mohammed%2B1%20%26%20co&page=2&is_favorite=true&name=%D9%85%D8%B1%D8%AD%D8%A8%D8%A7"
        );
    }

    #[test]
    fn json_body_is_serialized_once_compactly_and_errors_are_kept() {
        let mut request = Request::new(reqwest::Method::POST, "/w/message/text".to_owned());
        #[derive(serde::Serialize)]
        struct Text {
            phone: &'static str,
            body: &'static str,
        }
        request.json(&Text {
            phone: "96650000000",
            body: "Hello",
        });
        match &request.body {
            Body::Json(Ok(bytes)) => {
                assert_eq!(bytes.as_ref(), br#"{"phone":"96650000000","body":"Hello"}"#)
            }
            other => panic!("expected a JSON body, got {other:?}"),
        }

        struct Unserializable;
        impl serde::Serialize for Unserializable {
            fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
                Err(serde::ser::Error::custom("cannot serialize this"))
            }
        }
        request.json(&Unserializable);
        assert!(
            matches!(&request.body, Body::Json(Err(message)) if message.contains("cannot serialize this"))
        );
    }

    #[test]
    fn headers_are_kept_in_order() {
        let mut request = Request::new(reqwest::Method::GET, "/".to_owned());
        request.header("X-API-Version", &"v1");
        request.header("X-Other", &7);
        assert_eq!(
            request.headers,
            vec![
                ("X-API-Version", "v1".to_owned()),
                ("X-Other", "7".to_owned())
            ]
        );
    }
}
