//! [`Signer`]: signs each attempt as the spec's signing rule says, and learns the server's clock when the
//! rule allows it. Without the `signing` feature, `Signer` and [`FormSignature`] are empty enums: a
//! client then never has one, and the code that would use them is unreachable by type.

#[cfg(all(feature = "signing", feature = "multipart"))]
pub(crate) use enabled::FormSignature;
#[cfg(feature = "signing")]
pub(crate) use enabled::Signer;

#[cfg(all(not(feature = "signing"), feature = "multipart"))]
pub(crate) use disabled::FormSignature;
#[cfg(not(feature = "signing"))]
pub(crate) use disabled::Signer;

#[cfg(feature = "signing")]
mod enabled {
    use crate::client::builder::{header_name, invalid_header_value};
    use crate::client::{Client, Prepared};
    use crate::error::{ConfigError, Error, Result};
    use crate::payload::Payload;
    #[cfg(feature = "files")]
    use crate::payload::{Check, Fingerprint};
    use crate::secret::Secret;
    use crate::signing::{self, Message, PathForm, SigningRule};
    #[cfg(feature = "multipart")]
    use crate::signing::{MultipartBody, SignedPart};
    use hmac::{Hmac, Mac};
    use reqwest::header::{HeaderMap, HeaderName, HeaderValue, DATE};
    use reqwest::StatusCode;
    use sha2::Sha256;
    use std::sync::atomic::Ordering;
    use url::{Position, Url};

    /// The signing MAC, keyed with the secret.
    type KeyedMac = Hmac<Sha256>;

    /// A difference between the server's `Date` and the signed timestamp up to this is not called clock
    /// skew: `Date` has a resolution of one second and the answer takes time to arrive.
    const SKEW_TOLERANCE_SECONDS: u64 = 30;

    pub(crate) struct Signer {
        rule: SigningRule,
        /// Keyed with the secret once, in `build`; each signature starts from a copy.
        mac: KeyedMac,
        header: HeaderName,
        timestamp_header: HeaderName,
    }

    impl Signer {
        /// Checks the rule's header names and prefix, and keys the MAC.
        pub(crate) fn new(
            rule: SigningRule,
            secret: &Secret,
        ) -> std::result::Result<Self, ConfigError> {
            HeaderValue::from_str(rule.prefix).map_err(|_| invalid_header_value(rule.header))?;
            Ok(Signer {
                header: header_name(rule.header)?,
                timestamp_header: header_name(rule.timestamp_header)?,
                mac: signing::keyed(secret.expose()),
                rule,
            })
        }

        /// Whether `name` is the signature or the timestamp header.
        pub(crate) fn owns(&self, name: &HeaderName) -> bool {
            self.header == name || self.timestamp_header == name
        }

        /// The signature and timestamp header names (for `Debug`).
        pub(crate) fn header_names(&self) -> [&HeaderName; 2] {
            [&self.header, &self.timestamp_header]
        }

        /// The request values the rule signs, but the body: the path in the rule's form, the query as sent.
        fn message<'a>(
            &self,
            method: &'a str,
            url: &'a Url,
            base_path: &str,
            timestamp: u64,
        ) -> Message<'a> {
            let full_path = url.path();
            let path = match self.rule.path {
                // `Client::url` checked that the parsed path is exactly base path + request path.
                PathForm::RelativeToServer => full_path.get(base_path.len()..).unwrap_or(full_path),
                PathForm::Full => full_path,
            };
            Message {
                method,
                path,
                // `?` and the query, or `""` when there is none.
                query: &url[Position::AfterPath..Position::AfterQuery],
                timestamp,
                // The callers feed the body to the MAC themselves, in pieces when it is in pieces.
                body: &[],
            }
        }

        /// Signs the prepared request for `timestamp` and adds the signature and timestamp headers. When
        /// the rule signs the body in one place, as rules do, a body in pieces is fed to the MAC piece by
        /// piece; otherwise it is joined first.
        pub(crate) fn sign_into<E>(
            &self,
            headers: &mut HeaderMap,
            prepared: &Prepared,
            base_path: &str,
            timestamp: u64,
        ) -> Result<(), E> {
            #[cfg(feature = "multipart")]
            let body = match (prepared.is_multipart, self.rule.multipart_body) {
                (true, MultipartBody::Empty) => None,
                _ => prepared.body.as_ref(),
            };
            #[cfg(not(feature = "multipart"))]
            let body = prepared.body.as_ref();
            let message = self.message(
                prepared.method.as_str(),
                &prepared.url,
                base_path,
                timestamp,
            );
            let mut mac = self.mac.clone();
            match self.rule.split_at_body() {
                Some((before, after)) => {
                    signing::feed(&mut mac, before, &message);
                    body.into_iter()
                        .for_each(|body| body.for_each_piece(|piece| mac.update(piece)));
                    signing::feed(&mut mac, after, &message);
                }
                None => {
                    let whole = body.map(Payload::contiguous).unwrap_or_default();
                    let message = Message {
                        body: &whole,
                        ..message
                    };
                    signing::feed(&mut mac, self.rule.parts, &message);
                }
            }
            let signature = self.finish(mac)?;
            self.insert(headers, signature, timestamp);
            Ok(())
        }

        /// Whether the signature of `prepared` covers its body (so a streamed body is read twice).
        #[cfg(feature = "files")]
        pub(crate) fn signs_body(&self, prepared: &Prepared) -> bool {
            #[cfg(feature = "multipart")]
            if prepared.is_multipart && self.rule.multipart_body == MultipartBody::Empty {
                return false;
            }
            let _ = prepared;
            self.rule.parts.contains(&crate::signing::SignedPart::Body)
        }

        /// Signs a request whose body is streamed, for `timestamp`, and adds the signature and timestamp
        /// headers. When the signature covers the body, reads the body once to sign it and returns the
        /// length of each source as read and the check that the bytes sent are the bytes signed;
        /// otherwise `None` (the body is sent as it is, once).
        #[cfg(feature = "files")]
        pub(crate) async fn sign_streamed<E>(
            &self,
            headers: &mut HeaderMap,
            prepared: &Prepared,
            streamed: &crate::payload::Streamed,
            base_path: &str,
            timestamp: u64,
        ) -> Result<Option<(Vec<Option<u64>>, Check)>, E> {
            let message = self.message(
                prepared.method.as_str(),
                &prepared.url,
                base_path,
                timestamp,
            );
            let mut mac = self.mac.clone();
            if !self.signs_body(prepared) {
                signing::feed(&mut mac, self.rule.parts, &message);
                let signature = self.finish(mac)?;
                self.insert(headers, signature, timestamp);
                return Ok(None);
            }
            let Some((before, after)) = self.rule.split_at_body() else {
                return Err(Error::invalid(
                    "body",
                    "the signing rule signs the body more than once, which a streamed body cannot be",
                ));
            };
            signing::feed(&mut mac, before, &message);
            let fresh = Fingerprint::random();
            let ((mut mac, fingerprint), lengths) = streamed
                .read_through((mac, fresh.clone()), |(mac, fingerprint), bytes| {
                    mac.update(bytes);
                    fingerprint.update(bytes);
                })
                .await
                .map_err(|failed| Error::Upload {
                    name: failed.name,
                    source: failed.source,
                })?;
            signing::feed(&mut mac, after, &message);
            let signature = self.finish(mac)?;
            self.insert(headers, signature, timestamp);
            Ok(Some((lengths, Check::new(fresh, fingerprint.finish()))))
        }

        /// The signature of a form to be computed while the form is encoded, when the rule signs the raw
        /// form and the body in one place; `None` otherwise (the attempt then signs as usual).
        #[cfg(feature = "multipart")]
        pub(crate) fn form_signature<'a>(
            &'a self,
            method: &'a str,
            url: &'a Url,
            base_path: &str,
            timestamp: u64,
        ) -> Option<FormSignature<'a>> {
            if self.rule.multipart_body != MultipartBody::Raw {
                return None;
            }
            let (before, after) = self.rule.split_at_body()?;
            let message = self.message(method, url, base_path, timestamp);
            let mut mac = self.mac.clone();
            signing::feed(&mut mac, before, &message);
            Some(FormSignature {
                signer: self,
                mac,
                message,
                after,
            })
        }

        /// The signature of everything fed to `mac`, as a header value marked sensitive.
        fn finish<E>(&self, mac: KeyedMac) -> Result<HeaderValue, E> {
            let mut signature = String::new();
            self.rule.finish_into(mac, &mut signature);
            // `new` checked the prefix and the rest is hex, so this cannot fail; mapped rather than unwrapped.
            let mut signature = HeaderValue::try_from(signature).map_err(|_| {
                Error::invalid(
                    self.rule.header,
                    "the signature prefix is not a valid header value",
                )
            })?;
            signature.set_sensitive(true);
            Ok(signature)
        }

        /// Adds the signature and timestamp headers.
        pub(crate) fn insert(
            &self,
            headers: &mut HeaderMap,
            signature: HeaderValue,
            timestamp: u64,
        ) {
            headers.insert(self.header.clone(), signature);
            headers.insert(self.timestamp_header.clone(), HeaderValue::from(timestamp));
        }
    }

    /// A form's signature in the making: the parts before the body are fed; the encoder feeds the body as
    /// it writes it ([`update`](Self::update)); [`finish`](Self::finish) feeds the parts after.
    #[cfg(feature = "multipart")]
    #[derive(Clone)]
    pub(crate) struct FormSignature<'a> {
        signer: &'a Signer,
        mac: KeyedMac,
        message: Message<'a>,
        after: &'static [SignedPart],
    }

    #[cfg(feature = "multipart")]
    impl FormSignature<'_> {
        /// Feeds the next bytes of the body.
        pub(crate) fn update(&mut self, bytes: &[u8]) {
            self.mac.update(bytes);
        }

        /// The timestamp signed.
        pub(crate) fn timestamp(&self) -> u64 {
            self.message.timestamp
        }

        /// The finished signature, as the header value.
        pub(crate) fn finish<E>(mut self) -> Result<HeaderValue, E> {
            signing::feed(&mut self.mac, self.after, &self.message);
            self.signer.finish(self.mac)
        }
    }

    impl Client {
        /// The signed timestamp: the clock plus the learnt offset.
        pub(crate) fn timestamp(&self) -> u64 {
            (self.inner.clock)()
                .saturating_add_signed(self.inner.clock_offset.load(Ordering::Relaxed))
        }

        /// The offset, in seconds, added to the clock for signed timestamps: learnt from the server when
        /// [`ClientBuilder::correct_clock_skew`](crate::ClientBuilder::correct_clock_skew) is on, 0
        /// otherwise.
        pub fn clock_offset_seconds(&self) -> i64 {
            self.inner.clock_offset.load(Ordering::Relaxed)
        }

        /// With clock-skew correction on: when a signed request got the rule's clock-skew status with a
        /// `Date` far from the timestamp sent, stores the offset of the server's time from the clock and
        /// returns true (send once more).
        pub(crate) fn learn_clock_offset(
            &self,
            prepared: &Prepared,
            status: StatusCode,
            headers: &HeaderMap,
            sent_timestamp: u64,
        ) -> bool {
            let inner = &*self.inner;
            let skew_status = inner
                .signer
                .as_ref()
                .and_then(|signer| signer.rule.clock_skew_status);
            if !inner.correct_clock_skew || !prepared.signed || skew_status != Some(status.as_u16())
            {
                return false;
            }
            let Some(server_time) = headers
                .get(DATE)
                .and_then(|date| date.to_str().ok())
                .and_then(crate::retry::http_date_seconds)
            else {
                return false;
            };
            let sent = i64::try_from(sent_timestamp).unwrap_or(i64::MAX);
            if server_time.abs_diff(sent) <= SKEW_TOLERANCE_SECONDS {
                // The timestamp was right: the refusal is about something else (permissions).
                return false;
            }
            let local = i64::try_from((inner.clock)()).unwrap_or(i64::MAX);
            let offset = server_time.saturating_sub(local);
            let offset = if offset.unsigned_abs() > SKEW_TOLERANCE_SECONDS {
                offset
            } else {
                0
            };
            inner.clock_offset.store(offset, Ordering::Relaxed);
            true
        }
    }
}

#[cfg(not(feature = "signing"))]
mod disabled {
    use crate::client::{Client, Prepared};
    use crate::error::Result;
    use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
    use reqwest::StatusCode;

    /// No signing without the `signing` feature: no value of this type exists.
    pub(crate) enum Signer {}

    /// No form signatures without the `signing` feature: no value of this type exists.
    #[cfg(feature = "multipart")]
    #[derive(Clone)]
    pub(crate) enum FormSignature<'a> {
        #[allow(dead_code)]
        Never(std::convert::Infallible, std::marker::PhantomData<&'a ()>),
    }

    impl Signer {
        pub(crate) fn owns(&self, _: &HeaderName) -> bool {
            match *self {}
        }

        pub(crate) fn header_names(&self) -> [&HeaderName; 2] {
            match *self {}
        }

        pub(crate) fn sign_into<E>(
            &self,
            _: &mut HeaderMap,
            _: &Prepared,
            _: &str,
            _: u64,
        ) -> Result<(), E> {
            match *self {}
        }

        #[cfg(feature = "multipart")]
        pub(crate) fn form_signature<'a>(
            &'a self,
            _: &'a str,
            _: &'a url::Url,
            _: &str,
            _: u64,
        ) -> Option<FormSignature<'a>> {
            match *self {}
        }

        pub(crate) fn insert(&self, _: &mut HeaderMap, _: HeaderValue, _: u64) {
            match *self {}
        }

        #[cfg(feature = "files")]
        pub(crate) fn signs_body(&self, _: &Prepared) -> bool {
            match *self {}
        }

        #[cfg(feature = "files")]
        #[allow(clippy::type_complexity)]
        pub(crate) async fn sign_streamed<E>(
            &self,
            _: &mut HeaderMap,
            _: &Prepared,
            _: &crate::payload::Streamed,
            _: &str,
            _: u64,
        ) -> Result<Option<(Vec<Option<u64>>, crate::payload::Check)>, E> {
            match *self {}
        }
    }

    #[cfg(feature = "multipart")]
    impl FormSignature<'_> {
        pub(crate) fn update(&mut self, _: &[u8]) {
            match self {
                FormSignature::Never(never, _) => match *never {},
            }
        }

        pub(crate) fn timestamp(&self) -> u64 {
            match self {
                FormSignature::Never(never, _) => match *never {},
            }
        }

        pub(crate) fn finish<E>(self) -> Result<HeaderValue, E> {
            match self {
                FormSignature::Never(never, _) => match never {},
            }
        }
    }

    impl Client {
        /// The timestamp of an attempt: the clock (no signed timestamp to correct).
        pub(crate) fn timestamp(&self) -> u64 {
            (self.inner.clock)()
        }

        /// No signing, so no clock to correct.
        pub(crate) fn learn_clock_offset(
            &self,
            _: &Prepared,
            _: StatusCode,
            _: &HeaderMap,
            _: u64,
        ) -> bool {
            false
        }
    }
}
