//! Untagged unions: a `oneOf` (or `anyOf`, or `type` array) without a discriminator is an enum with one
//! variant per alternative, written as the variant's value and read by trying each variant in turn on
//! the buffered value. [`untagged!`](crate::untagged) writes both impls from the variant names.
//!
//! Serde's `#[serde(untagged)]` derive does the same job; this is a macro of the runtime because the
//! derive's expansion (a private buffering deserializer and its error plumbing per enum) was a
//! measurable share of checking a crate generated from a large spec, and because its error, "data did
//! not match any variant", does not say why each variant failed. This one does.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

/// `Serialize` and `Deserialize` for a generated untagged union, from its variants' names:
///
/// ```ignore
/// untagged!(NameOrId { Id, Name });
/// untagged!(NameOrId { Id, Name }; deserialize if feature = "full-serde");
/// ```
///
/// Every variant holds one value. It is written as that value; it is read by trying the variants in
/// the order given and taking the first that fits. With `; deserialize if CFG`, `Deserialize` is
/// compiled only when `CFG` holds.
#[macro_export]
macro_rules! untagged {
    ($ty:ident { $($variant:ident),* $(,)? } $(; deserialize if $cfg:meta)?) => {
        impl $crate::serde::Serialize for $ty {
            fn serialize<S: $crate::serde::Serializer>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error> {
                match self {
                    $(Self::$variant(value) => $crate::serde::Serialize::serialize(value, serializer),)*
                }
            }
        }
        $(#[cfg($cfg)])?
        impl<'de> $crate::serde::Deserialize<'de> for $ty {
            fn deserialize<D: $crate::serde::Deserializer<'de>>(d: D) -> ::core::result::Result<Self, D::Error> {
                let mut buffered = $crate::union::Buffered::read(d)?;
                $(if let ::core::option::Option::Some(value) = buffered.fits(stringify!($variant)) {
                    return ::core::result::Result::Ok(Self::$variant(value));
                })*
                ::core::result::Result::Err(buffered.none_fits(stringify!($ty)))
            }
        }
    };
}
#[doc(inline)]
pub use crate::untagged;

/// A value read whole, for the variants of an untagged union to be tried on, with why each one that
/// was tried did not fit.
pub struct Buffered {
    value: serde_json::Value,
    misfits: Vec<String>,
}

impl Buffered {
    /// Reads the whole value.
    pub fn read<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Self {
            value: serde_json::Value::deserialize(deserializer)?,
            misfits: Vec::new(),
        })
    }

    /// The value as a `T`, or `None` (and why, kept for [`Self::none_fits`]) when it is not one.
    pub fn fits<T: DeserializeOwned>(&mut self, variant: &str) -> Option<T> {
        match T::deserialize(&self.value) {
            Ok(value) => Some(value),
            Err(error) => {
                self.misfits.push(format!("{variant}: {error}"));
                None
            }
        }
    }

    /// The error when no variant of the union `union` fits: each variant's reason, in the order tried.
    pub fn none_fits<E: serde::de::Error>(self, union: &str) -> E {
        E::custom(format_args!(
            "the value fits no variant of {union} ({})",
            self.misfits.join("; ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    /// An object variant, as the generator writes them (here with serde's derive: the test is about
    /// the union).
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Range {
        start: i64,
        end: i64,
    }

    #[derive(Debug, Clone, PartialEq)]
    enum Value {
        Range(Range),
        Boxed(Box<Range>),
        Number(f64),
        Text(String),
        List(Vec<i64>),
        Null(()),
    }
    untagged!(Value {
        Range,
        Boxed,
        Number,
        Text,
        List,
        Null
    });

    /// The same union with serde's derive, to compare against.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(untagged)]
    enum Derived {
        Range(Range),
        Boxed(Box<Range>),
        Number(f64),
        Text(String),
        List(Vec<i64>),
        Null(()),
    }

    #[test]
    fn reads_and_writes_as_serdes_untagged_derive() {
        for json in [
            r#"{"start":1,"end":2}"#,
            "7",
            "-1.5",
            r#""text""#,
            "[1,2,3]",
            "[]",
            "null",
        ] {
            let ours: Value = serde_json::from_str(json).expect(json);
            let derived: Derived = serde_json::from_str(json).expect(json);
            assert_eq!(
                serde_json::to_string(&ours).ok(),
                serde_json::to_string(&derived).ok(),
                "{json}"
            );
            assert_eq!(format!("{ours:?}"), format!("{derived:?}"), "{json}");
        }
        // The first variant that fits wins, as with the derive: the boxed one is never reached.
        let boxed = Value::Boxed(Box::new(Range { start: 1, end: 2 }));
        assert_eq!(
            serde_json::to_string(&boxed).ok().as_deref(),
            Some(r#"{"start":1,"end":2}"#)
        );
    }

    #[test]
    fn a_value_that_fits_no_variant_says_why_each_did_not() {
        let error = serde_json::from_str::<Value>(r#"{"start":1}"#)
            .expect_err("no variant takes an object without `end`")
            .to_string();
        assert!(
            error.starts_with("the value fits no variant of Value (Range: missing field `end`; "),
            "{error}"
        );
        for variant in ["Boxed:", "Number:", "Text:", "List:", "Null:"] {
            assert!(error.contains(variant), "{error}");
        }
        assert!(serde_json::from_str::<Value>("true").is_err());
    }

    #[derive(Debug)]
    enum SentOnly {
        Number(f64),
    }
    untagged!(SentOnly { Number }; deserialize if any());

    // `any()` is false: were `untagged!`'s `Deserialize` impl compiled, this one would conflict with it.
    impl<'de> Deserialize<'de> for SentOnly {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            <serde::de::IgnoredAny as Deserialize>::deserialize(d)?;
            Ok(SentOnly::Number(0.0))
        }
    }

    #[test]
    fn deserialize_if_leaves_out_only_deserialize() {
        assert_eq!(
            serde_json::to_string(&SentOnly::Number(1.5))
                .ok()
                .as_deref(),
            Some("1.5")
        );
        let read: SentOnly = serde_json::from_str("2.5").expect("deserializes");
        assert!(matches!(read, SentOnly::Number(n) if n == 0.0), "{read:?}");
    }
}
