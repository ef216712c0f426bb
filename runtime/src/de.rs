//! Decoding generated structs from JSON objects.
//!
//! Each generated struct implements [`FromMap`]: one loop over the object's entries that matches the
//! key and reads the value into its field. Serde's derived `Deserialize` does the same job with a field
//! enum, a field visitor and a sequence visitor per type, which made up about half of the code rustc
//! checks in a crate generated from a large spec; this keeps one small function per type instead.
//!
//! It decodes as the derive would, with two differences: keys the type does not list are skipped (or
//! kept in its map of other properties), and when a key appears twice the last value wins.

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use std::fmt;
use std::marker::PhantomData;

/// `Deserialize` and [`FromMap`] for a generated struct, from its fields' wire names:
///
/// ```ignore
/// from_map!(Contact { "id" => id required, "name" => name optional, "at" => at unix_optional } rest other);
/// ```
///
/// `required` fields must be present; `optional` and `nullable` ones (`Option`s) may be missing or
/// `null`; `unix`, `unix_optional` and `unix_nullable` read Unix seconds into a timestamp. With
/// `rest FIELD`, keys not listed go into the map `FIELD`; without, they are skipped. A macro keeps each
/// generated struct's decoding to a few lines of input, and its hygiene keeps the loop's own variables
/// apart from the field names.
#[macro_export]
macro_rules! from_map {
    ($ty:ident {} $(rest $other:ident)?) => {
        impl<'de> $crate::serde::Deserialize<'de> for $ty {
            fn deserialize<D: $crate::serde::Deserializer<'de>>(d: D) -> ::core::result::Result<Self, D::Error> {
                $crate::de::object(d)
            }
        }
        impl $crate::de::FromMap for $ty {
            fn from_map<'de, A: $crate::serde::de::MapAccess<'de>>(mut map: A) -> ::core::result::Result<Self, A::Error> {
                $(let mut $other = ::std::collections::BTreeMap::new();)?
                while let ::core::option::Option::Some(key) = map.next_key::<$crate::de::Key<'de>>()? {
                    let key = key.as_str();
                    $crate::from_map!(@other map key $($other)?);
                }
                ::core::result::Result::Ok(Self { $($other)? })
            }
        }
    };
    ($ty:ident { $($wire:literal => $field:ident $kind:ident),* $(,)? } $(rest $other:ident)?) => {
        impl<'de> $crate::serde::Deserialize<'de> for $ty {
            fn deserialize<D: $crate::serde::Deserializer<'de>>(d: D) -> ::core::result::Result<Self, D::Error> {
                $crate::de::object(d)
            }
        }
        impl $crate::de::FromMap for $ty {
            fn from_map<'de, A: $crate::serde::de::MapAccess<'de>>(mut map: A) -> ::core::result::Result<Self, A::Error> {
                $(let mut $field = None;)*
                $(let mut $other = ::std::collections::BTreeMap::new();)?
                while let ::core::option::Option::Some(key) = map.next_key::<$crate::de::Key<'de>>()? {
                    match key.as_str() {
                        $($wire => $field = $crate::from_map!(@read map $kind),)*
                        key => $crate::from_map!(@other map key $($other)?),
                    }
                }
                ::core::result::Result::Ok(Self {
                    $($field: $crate::from_map!(@finish $field $wire $kind),)*
                    $($other)?
                })
            }
        }
    };
    (@read $map:ident required) => { ::core::option::Option::Some($map.next_value()?) };
    (@read $map:ident optional) => { $map.next_value()? };
    (@read $map:ident nullable) => { $map.next_value()? };
    (@read $map:ident unix) => { ::core::option::Option::Some($map.next_value::<$crate::de::UnixTime>()?.0) };
    (@read $map:ident unix_nullable) => { $crate::from_map!(@read $map unix_optional) };
    (@read $map:ident unix_optional) => {
        $map.next_value::<::core::option::Option<$crate::de::UnixTime>>()?.map(|t| t.0)
    };
    (@finish $field:ident $wire:literal required) => { $crate::de::required($field, $wire)? };
    (@finish $field:ident $wire:literal unix) => { $crate::de::required($field, $wire)? };
    (@finish $field:ident $wire:literal $optional:ident) => { $field };
    (@other $map:ident $key:ident) => {{
        let _ = $key;
        $crate::de::skip(&mut $map)?
    }};
    (@other $map:ident $key:ident $other:ident) => {{
        let value = $map.next_value()?;
        $other.insert($key.to_owned(), value);
    }};
}
#[doc(inline)]
pub use crate::from_map;

/// A generated struct, read from the entries of a JSON object.
pub trait FromMap: Sized {
    /// Reads every entry of the object.
    fn from_map<'de, A: MapAccess<'de>>(map: A) -> Result<Self, A::Error>;
}

/// The body of a generated `Deserialize::deserialize`: an object, read by `T::from_map`.
pub fn object<'de, D: Deserializer<'de>, T: FromMap>(deserializer: D) -> Result<T, D::Error> {
    deserializer.deserialize_map(ObjectVisitor(PhantomData))
}

struct ObjectVisitor<T>(PhantomData<T>);

impl<'de, T: FromMap> Visitor<'de> for ObjectVisitor<T> {
    type Value = T;

    /// `struct Contact`, as serde's derive says, from the type's name without its module path.
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = std::any::type_name::<T>();
        write!(f, "struct {}", path.rsplit("::").next().unwrap_or(path))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::from_map(map)
    }
}

/// An object's key: borrowed from the input when it has no escapes, so matching it allocates nothing.
pub enum Key<'de> {
    /// Borrowed from the input.
    Borrowed(&'de str),
    /// Unescaped, or read from a transient buffer.
    Owned(String),
}

impl Key<'_> {
    /// The key's text.
    pub fn as_str(&self) -> &str {
        match self {
            Key::Borrowed(text) => text,
            Key::Owned(text) => text,
        }
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Key<'de>, E> {
        Ok(Key::Borrowed(text))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Key<'de>, E> {
        Ok(Key::Owned(text.to_owned()))
    }

    fn visit_string<E: de::Error>(self, text: String) -> Result<Key<'de>, E> {
        Ok(Key::Owned(text))
    }
}

/// A required field's value, or serde's "missing field `name`" error.
pub fn required<T, E: de::Error>(value: Option<T>, name: &'static str) -> Result<T, E> {
    value.ok_or_else(|| E::missing_field(name))
}

/// Reads and drops the value of a key the type does not list.
pub fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<de::IgnoredAny>().map(|_| ())
}

/// A timestamp sent as an integer of Unix seconds (`format: unix-time`).
#[cfg(feature = "chrono")]
pub struct UnixTime(pub chrono::DateTime<chrono::Utc>);

#[cfg(feature = "chrono")]
impl<'de> Deserialize<'de> for UnixTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        chrono::serde::ts_seconds::deserialize(deserializer).map(UnixTime)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    /// A hand-written `FromMap` shaped as the generator writes them: a required field, an optional
    /// one, a Unix-seconds timestamp and a map of the other properties.
    #[derive(Debug, PartialEq)]
    struct Sample {
        id: String,
        note: Option<String>,
        at: Option<chrono::DateTime<chrono::Utc>>,
        other: BTreeMap<String, i64>,
    }

    from_map!(Sample {
        "id" => id required,
        "note" => note optional,
        "at" => at unix_optional,
    } rest other);

    /// Every field's key matched, including `map` and `key`, the names the macro's own loop uses.
    #[derive(Debug, PartialEq)]
    struct Clash {
        map: u8,
        key: Option<u8>,
        at: chrono::DateTime<chrono::Utc>,
    }

    from_map!(Clash { "map" => map required, "key" => key optional, "at" => at unix });

    /// No listed fields: every key is skipped, or kept.
    #[derive(Debug, PartialEq)]
    struct Nothing {}
    from_map!(Nothing {});

    #[derive(Debug, PartialEq)]
    struct Anything {
        rest: BTreeMap<String, bool>,
    }
    from_map!(Anything {} rest rest);

    #[test]
    fn reads_fields_nulls_timestamps_and_other_properties() {
        let json = r#"{"n\u0065xt": 2, "id": "c1", "note": null, "at": 1700000000, "extra": 1}"#;
        let sample: Sample = serde_json::from_str(json).unwrap();
        assert_eq!(
            sample,
            Sample {
                id: "c1".into(),
                note: None,
                at: chrono::DateTime::from_timestamp(1_700_000_000, 0),
                other: BTreeMap::from([("extra".into(), 1), ("next".into(), 2)]),
            }
        );
    }

    #[test]
    fn a_missing_required_field_and_a_wrong_type_are_serde_errors() {
        let missing = serde_json::from_str::<Sample>(r#"{"note": "x"}"#).unwrap_err();
        assert_eq!(
            missing.to_string(),
            "missing field `id` at line 1 column 13"
        );
        let not_object = serde_json::from_str::<Sample>("[1]").unwrap_err();
        assert_eq!(
            not_object.to_string(),
            "invalid type: sequence, expected struct Sample at line 1 column 0"
        );
        let bad_value = serde_json::from_str::<Sample>(r#"{"id": 5}"#).unwrap_err();
        assert!(bad_value
            .to_string()
            .starts_with("invalid type: integer `5`, expected a string"));
    }

    #[test]
    fn field_names_do_not_clash_with_the_loop_and_empty_structs_read_any_object() {
        let clash: Clash = serde_json::from_str(r#"{"key": 2, "map": 1, "at": 0}"#).unwrap();
        assert_eq!(
            clash,
            Clash {
                map: 1,
                key: Some(2),
                at: chrono::DateTime::UNIX_EPOCH
            }
        );
        let missing = serde_json::from_str::<Clash>(r#"{"map": 1}"#).unwrap_err();
        assert!(missing.to_string().starts_with("missing field `at`"));
        assert_eq!(
            serde_json::from_str::<Nothing>(r#"{"a": [1, {}]}"#).unwrap(),
            Nothing {}
        );
        let kept: Anything = serde_json::from_str(r#"{"a": true, "b": false}"#).unwrap();
        assert_eq!(kept.rest.len(), 2);
        assert!(serde_json::from_str::<Anything>(r#"{"a": 1}"#).is_err());
    }

    #[test]
    fn the_last_of_two_equal_keys_wins() {
        let sample: Sample = serde_json::from_str(r#"{"id": "a", "id": "b"}"#).unwrap();
        assert_eq!(sample.id, "b");
    }
}
