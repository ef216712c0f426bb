//! String enums: a schema's `enum` of strings is a Rust enum with one variant per value and `Unknown` for
//! the values this client does not know. [`string_enum!`](crate::string_enum!) writes every impl such an
//! enum has from its variants' wire values, so that the generated code holds only the enum itself.
//!
//! Equality and hashing go by the wire text (`as_str`), not by the variant: `Unknown("active")` built
//! by hand equals `Active`, as the two are the same value on the wire. They are written by hand rather
//! than derived, and decoding goes through [`from_text`], because those were a measurable share of
//! checking a crate generated from a large spec with many enums.

use serde::{Deserialize, Deserializer};

/// The impls of a generated string enum, from its variants and their wire values:
///
/// ```ignore
/// string_enum!(Status { Active => "active", Closed => "closed" });
/// string_enum!(Status { Active => "active" }; deserialize if feature = "full-serde");
/// ```
///
/// The enum must have those variants and `Unknown(String)`. The macro writes `as_str` (the wire value),
/// `From<&str>` (an unlisted value becomes `Unknown`), `PartialEq`, `Eq` and `Hash` by the wire value,
/// `Display` (the wire value), `Serialize` (a string) and `Deserialize` (any string). With
/// `; deserialize if CFG`, `Deserialize` is compiled only when `CFG` holds.
#[macro_export]
macro_rules! string_enum {
    ($ty:ident { $($variant:ident => $wire:literal),* $(,)? } $(; deserialize if $cfg:meta)?) => {
        impl $ty {
            /// The value as it appears on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)*
                    Self::Unknown(value) => value,
                }
            }
        }
        impl ::core::convert::From<&str> for $ty {
            fn from(value: &str) -> Self {
                match value {
                    $($wire => Self::$variant,)*
                    other => Self::Unknown(::std::borrow::ToOwned::to_owned(other)),
                }
            }
        }
        impl ::core::cmp::PartialEq for $ty {
            fn eq(&self, other: &Self) -> bool {
                self.as_str() == other.as_str()
            }
        }
        impl ::core::cmp::Eq for $ty {}
        impl ::core::hash::Hash for $ty {
            fn hash<H: ::core::hash::Hasher>(&self, state: &mut H) {
                ::core::hash::Hash::hash(self.as_str(), state)
            }
        }
        impl ::core::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl $crate::serde::Serialize for $ty {
            fn serialize<S: $crate::serde::Serializer>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
        $(#[cfg($cfg)])?
        impl<'de> $crate::serde::Deserialize<'de> for $ty {
            fn deserialize<D: $crate::serde::Deserializer<'de>>(d: D) -> ::core::result::Result<Self, D::Error> {
                $crate::string_enum::from_text(d)
            }
        }
    };
}
#[doc(inline)]
pub use crate::string_enum;

/// Reads a string into a string enum, through its `From<&str>`: the body of its `Deserialize`.
pub fn from_text<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: for<'a> From<&'a str>,
{
    let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
    Ok(T::from(&text))
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    #[derive(Debug, Clone)]
    enum Status {
        Active,
        Empty,
        Unknown(String),
    }
    string_enum!(Status { Active => "active", Empty => "" });

    #[test]
    fn values_read_write_and_compare_by_their_wire_text() {
        assert_eq!(Status::Active.as_str(), "active");
        assert_eq!(Status::Empty.to_string(), "");
        assert!(matches!(Status::from("active"), Status::Active));
        assert!(matches!(Status::from("paused"), Status::Unknown(v) if v == "paused"));
        let read: Vec<Status> =
            serde_json::from_str(r#"["active", "", "paused", "act\u0069ve"]"#).expect("strings");
        assert!(matches!(
            read.as_slice(),
            [Status::Active, Status::Empty, Status::Unknown(v), Status::Active] if v == "paused"
        ));
        assert_eq!(
            serde_json::to_string(&read).ok().as_deref(),
            Some(r#"["active","","paused","active"]"#)
        );
        assert!(serde_json::from_str::<Status>("1").is_err());
        // The same wire value is the same value, however it was built.
        assert_eq!(Status::Unknown("active".into()), Status::Active);
        assert_ne!(Status::Unknown("paused".into()), Status::Active);
        let set: HashSet<Status> = [Status::Active, Status::Unknown("active".into())].into();
        assert_eq!(set.len(), 1);
    }

    #[derive(Debug, Clone)]
    enum SentOnly {
        On,
        Unknown(String),
    }
    string_enum!(SentOnly { On => "on" }; deserialize if any());

    // `any()` is false: were `string_enum!`'s `Deserialize` impl compiled, this one would conflict.
    impl<'de> serde::Deserialize<'de> for SentOnly {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            <serde::de::IgnoredAny as serde::Deserialize>::deserialize(d)?;
            Ok(SentOnly::Unknown("ignored".into()))
        }
    }

    #[test]
    fn deserialize_if_leaves_out_only_deserialize() {
        assert_eq!(
            serde_json::to_string(&SentOnly::On).ok().as_deref(),
            Some(r#""on""#)
        );
        let read: SentOnly = serde_json::from_str(r#""on""#).expect("deserializes");
        assert_eq!(read.as_str(), "ignored");
    }
}
