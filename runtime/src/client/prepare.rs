//! A [`Request`] made ready for every attempt: checked, its credentials picked, its URL built, its
//! headers checked and its body encoded once.

#[cfg(feature = "multipart")]
use super::signer::FormSignature;
use super::{checked_header, Client, Prepared};
use crate::error::{Error, Result};
#[cfg(feature = "multipart")]
use crate::multipart::{self, EncodeError, Form};
use crate::payload::Payload;
use crate::request::{Body, Request};
use reqwest::header::{
    HeaderMap, HeaderName, HeaderValue, ACCEPT, CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, HOST,
    TRANSFER_ENCODING,
};
use url::Url;

/// Boundaries drawn before giving up when each one occurs in the content (a random one practically never
/// does; a fixed test boundary always will, and must not loop).
#[cfg(feature = "multipart")]
const BOUNDARY_ATTEMPTS: usize = 3;

impl Client {
    /// Checks the request and builds everything that is the same for every attempt: the credentials it
    /// sends, URL, headers, and the body encoded once.
    pub(crate) fn prepare<E>(&self, request: Request) -> Result<Prepared, E> {
        let inner = &*self.inner;
        let Request {
            method,
            path,
            query,
            headers: extra_headers,
            cookies,
            body,
            security,
            operation,
            accept,
            redirect_is_answer,
            errors,
            invalid,
        } = request;
        if !invalid.is_empty() {
            return Err(Error::Validation(invalid));
        }
        if let Some((name, message)) = errors.into_iter().next() {
            return Err(Error::invalid(name, message));
        }
        let credentials = inner
            .credentials
            .select(security, inner.signer.is_some())
            .map_err(|missing| Error::MissingCredentials {
                missing: missing
                    .into_iter()
                    .map(|schemes| schemes.into_iter().map(str::to_owned).collect())
                    .collect(),
            })?;
        let signed = credentials.signed;

        // Credential query parameters go into the URL here, before signing, so the signature covers them.
        let with_credentials = inner.credentials.with_query(&credentials, query.clone());
        let (url, shown_url) = if with_credentials == query {
            (self.url(&path, &query)?, None)
        } else {
            (
                self.url(&path, &with_credentials)?,
                Some(self.url(&path, &query)?),
            )
        };
        // Room for Content-Type, Cookie, and the signature and timestamp each attempt adds to its copy, so
        // that no insert grows the map.
        let mut headers = HeaderMap::with_capacity(
            extra_headers.len() + inner.headers.len() + inner.credentials.header_count() + 4,
        );
        for (name, value) in extra_headers {
            let (header, value) = checked_header(name, &value)?;
            headers.append(header, value);
        }
        if !cookies.is_empty() {
            let (header, value) = checked_header("Cookie", &cookies)?;
            headers.append(header, value);
        }
        // The client's own headers (Accept, User-Agent, the builder's) replace the operation's of the same
        // name; a name the builder gave twice is sent twice.
        for name in inner.headers.keys() {
            headers.remove(name);
        }
        for (name, value) in &inner.headers {
            headers.append(name.clone(), value.clone());
        }
        if let Some(accept) = accept {
            let (_, value) = checked_header("Accept", accept)?;
            headers.insert(ACCEPT, value);
        }
        if let Some(options) = &self.options {
            let mut checked = Vec::with_capacity(options.headers.len());
            for (name, value) in &options.headers {
                let (header, value) = checked_header(name, value)?;
                if self.is_reserved(&header) {
                    return Err(Error::invalid(
                        name.clone(),
                        "set by the client itself; it cannot be replaced per request",
                    ));
                }
                checked.push((header, value));
            }
            // Each name given replaces the header of that name; repeating a name sends it repeated.
            for (header, _) in &checked {
                headers.remove(header);
            }
            for (header, value) in checked {
                headers.append(header, value);
            }
        }

        // The body, whether it is a form, and the first attempt's signature when encoding computed it.
        let (body, _is_multipart, presigned) = match body {
            Body::None => (None, false, None),
            Body::Json(Ok(bytes)) => {
                headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                (Some(Payload::Whole(bytes)), false, None)
            }
            Body::Json(Err(message))
            | Body::Encoded {
                bytes: Err(message),
                ..
            } => return Err(Error::invalid("body", message)),
            Body::Encoded {
                content_type,
                bytes: Ok(bytes),
            } => {
                let (_, value) = checked_header("Content-Type", content_type)?;
                headers.insert(CONTENT_TYPE, value);
                (Some(Payload::Whole(bytes)), false, None)
            }
            #[cfg(feature = "files")]
            Body::Upload {
                content_type,
                upload,
            } => {
                let (_, value) = checked_header("Content-Type", content_type)?;
                headers.insert(CONTENT_TYPE, value);
                let payload = match upload.in_memory() {
                    Some(bytes) => Payload::Whole(bytes.clone()),
                    None => Payload::Streamed(std::sync::Arc::new(crate::payload::Streamed {
                        pieces: vec![crate::payload::Piece::Source {
                            upload,
                            name: "body".to_owned(),
                            boundary: None,
                        }],
                    })),
                };
                (Some(payload), false, None)
            }
            #[cfg(feature = "multipart")]
            Body::Multipart(form) => {
                let (payload, content_type, signed) =
                    self.encode_form(&form, method.as_str(), &url, signed)?;
                headers.insert(CONTENT_TYPE, content_type);
                (Some(payload), true, signed)
            }
        };

        Ok(Prepared {
            method,
            url,
            shown_url,
            headers,
            credentials,
            body,
            #[cfg(all(feature = "signing", feature = "multipart"))]
            is_multipart: _is_multipart,
            signed,
            redirect_is_answer,
            presigned,
            operation,
        })
    }

    /// Headers a [`RequestOptions::header`](crate::RequestOptions::header) may not set: framing,
    /// content type, credentials, signature.
    fn is_reserved(&self, name: &HeaderName) -> bool {
        let inner = &*self.inner;
        [
            CONTENT_TYPE,
            CONTENT_LENGTH,
            TRANSFER_ENCODING,
            HOST,
            CONNECTION,
        ]
        .contains(name)
            || inner.credentials.owns_header(name)
            || inner
                .signer
                .as_ref()
                .is_some_and(|signer| signer.owns(name))
    }

    /// Sets path and query on a copy of the parsed base URL, refusing anything the parser changed: what is
    /// signed is then, by construction, what is sent.
    fn url<E>(&self, path: &str, query: &str) -> Result<Url, E> {
        if !path.starts_with('/') {
            return Err(Error::invalid(
                "path",
                format!("`{path}` does not start with '/'"),
            ));
        }
        let base_path = &self.inner.base_path;
        let mut full_path = String::with_capacity(base_path.len() + path.len());
        full_path.push_str(base_path);
        full_path.push_str(path);
        // Only path and query are parsed: scheme, host and port were checked once, in `build`.
        let mut url = self.inner.base.clone();
        url.set_path(&full_path);
        url.set_query((!query.is_empty()).then_some(query));
        // The parser resolves `.` and `..` segments (also percent-encoded ones): `/contacts/..` would reach
        // another resource than the one asked for, so such a path is refused rather than sent.
        let same_path = url.path().strip_prefix(self.inner.base_path.as_str()) == Some(path);
        if !same_path {
            return Err(Error::invalid(
                "path",
                format!("`{path}` is changed by URL normalization (a `.` or `..` segment?)"),
            ));
        }
        if url.query().unwrap_or_default() != query {
            return Err(Error::invalid(
                "query",
                "the query string is changed by URL parsing",
            ));
        }
        Ok(url)
    }

    /// Copies the readers of a streamed body to temporary files when the request reads its body twice
    /// (signed over the body), since a reader can be read only once.
    #[cfg(feature = "files")]
    pub(super) async fn spool<E>(&self, prepared: &mut Prepared) -> Result<(), E> {
        let Some(Payload::Streamed(streamed)) = &prepared.body else {
            return Ok(());
        };
        let twice = prepared.signed
            && self
                .inner
                .signer
                .as_ref()
                .is_some_and(|signer| signer.signs_body(prepared));
        if !twice || !streamed.has_one_shot() {
            return Ok(());
        }
        let spooled = streamed.spooled().await.map_err(|failed| Error::Upload {
            name: failed.name,
            source: failed.source,
        })?;
        prepared.body = Some(Payload::Streamed(std::sync::Arc::new(spooled)));
        Ok(())
    }
}

#[cfg(feature = "multipart")]
impl Client {
    /// Encodes a form once, for every attempt: the body, its `Content-Type`, and the first attempt's
    /// timestamp and signature when they could be computed while encoding.
    ///
    /// The first attempt's timestamp is read before encoding, so that the MAC takes the form's bytes as
    /// they are written, while they are in cache. A form with streamed files is signed by each attempt
    /// instead, which reads the files.
    #[allow(clippy::type_complexity)]
    fn encode_form<E>(
        &self,
        form: &Form,
        method: &str,
        url: &Url,
        signed: bool,
    ) -> Result<(Payload, HeaderValue, Option<(u64, HeaderValue)>), E> {
        let signature = self
            .inner
            .signer
            .as_ref()
            .filter(|_| signed && !form.has_streamed_files())
            .and_then(|signer| {
                signer.form_signature(method, url, &self.inner.base_path, self.timestamp())
            });
        let (boundary, payload, signature) = self.encode(form, signature)?;
        let presigned = match signature {
            Some(signature) => Some((signature.timestamp(), signature.finish()?)),
            None => None,
        };
        // A valid boundary is printable ASCII, so this cannot fail; mapped rather than unwrapped anyway.
        let content_type = HeaderValue::try_from(multipart::content_type(&boundary))
            .map_err(|_| Error::invalid("body", "boundary is not a valid header value"))?;
        Ok((payload, content_type, presigned))
    }

    /// Encodes a form with a boundary from the client's source, drawing a new one when the boundary occurs
    /// in the content. A copy of `signature` is given the body as it is written, and returned with it.
    /// Large files are not copied: the body shares their bytes ([`Payload::Pieces`]), or streams them.
    fn encode<'a, E>(
        &self,
        form: &Form,
        signature: Option<FormSignature<'a>>,
    ) -> Result<(String, Payload, Option<FormSignature<'a>>), E> {
        let mut attempt = 1;
        loop {
            let boundary = (self.inner.boundary)();
            // A copy per boundary: a failed encoding may have fed part of a body.
            let mut tapped = signature.clone();
            let encoded = match &mut tapped {
                Some(signature) => {
                    form.encode_payload_tapped(&boundary, |bytes| signature.update(bytes))
                }
                None => form.encode_payload_tapped(&boundary, |_| {}),
            };
            match encoded {
                Ok(bytes) => return Ok((boundary, bytes, tapped)),
                Err(EncodeError::BoundaryInContent { .. }) if attempt < BOUNDARY_ATTEMPTS => {
                    attempt += 1
                }
                // The caller's value is at fault, so the error names its part, not the whole body.
                Err(EncodeError::InvalidJson { part, source }) => {
                    return Err(Error::invalid(
                        part,
                        format!("cannot be serialized as JSON: {source}"),
                    ))
                }
                Err(error) => return Err(Error::invalid("body", error.to_string())),
            }
        }
    }
}
