//! Encoding generated structs as JSON objects.
//!
//! Each generated struct's `Serialize` is one call per field on an [`Object`], written by [`to_map!`].
//! Serde's derive writes, per field, a test, a `serialize_field` or `skip_field` and a term of the length
//! sum, through its private helpers; in a crate generated from a large spec that was a quarter of the
//! code rustc checks. The output is the same: the fields in order, `None`s left out where the field is
//! optional, the map of other properties inlined after them.

use serde::ser::{Serialize, SerializeMap, Serializer};

/// `Serialize` for a generated struct, from its fields' wire names:
///
/// ```ignore
/// to_map!(Contact { "id" => id required, "name" => name optional, "at" => at unix_optional } rest other);
/// ```
///
/// `required` and `nullable` fields are always written (`None` as `null`); `optional` ones (`Option`s)
/// are left out when `None`; `unix`, `unix_optional` and `unix_nullable` write a timestamp as Unix
/// seconds. With `rest FIELD`, the entries of the map `FIELD` follow the listed fields.
#[macro_export]
macro_rules! to_map {
    ($ty:ident { $($wire:literal => $field:ident $kind:ident),* $(,)? } $(rest $other:ident)?) => {
        impl $crate::serde::Serialize for $ty {
            fn serialize<S: $crate::serde::Serializer>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error> {
                let mut object = $crate::ser::Object::new(serializer)?;
                $(object.$kind($wire, &self.$field)?;)*
                $(object.rest(&self.$other)?;)?
                object.end()
            }
        }
    };
}
#[doc(inline)]
pub use crate::to_map;

/// Both serde impls of a generated struct: [`to_map!`] and [`from_map!`](crate::de::from_map) over
/// one list of fields.
///
/// ```ignore
/// object!(Contact { "id" => id required, "note" => note nullable } rest other);
/// object!(Draft { "id" => id required }; deserialize if feature = "full-serde");
/// ```
///
/// A field's kind is one of `required`, `optional`, `nullable` (a required field that may be `null`:
/// written as `null`, read as `None` when missing too), `unix`, `unix_optional` and `unix_nullable`.
/// After `deserialize if`, the condition of a `cfg` that the `Deserialize` impl is compiled under.
#[macro_export]
macro_rules! object {
    ($ty:ident $fields:tt $(rest $other:ident)? $(; deserialize if $cfg:meta)?) => {
        $crate::to_map!($ty $fields $(rest $other)?);
        $(#[cfg($cfg)])?
        $crate::from_map!($ty $fields $(rest $other)?);
    };
}
#[doc(inline)]
pub use crate::object;

/// A JSON object being written, field by field.
pub struct Object<S: Serializer>(S::SerializeMap);

impl<S: Serializer> Object<S> {
    /// Starts the object.
    pub fn new(serializer: S) -> Result<Self, S::Error> {
        serializer.serialize_map(None).map(Self)
    }

    /// Writes a field that may be `null`: as [`required`](Self::required) does, `None` as `null`.
    pub fn nullable<T: Serialize>(
        &mut self,
        key: &'static str,
        value: &Option<T>,
    ) -> Result<(), S::Error> {
        self.required(key, value)
    }

    /// Writes a field.
    pub fn required<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), S::Error> {
        self.0.serialize_entry(key, value)
    }

    /// Writes a field that is present, and leaves out one that is `None`.
    pub fn optional<T: Serialize>(
        &mut self,
        key: &'static str,
        value: &Option<T>,
    ) -> Result<(), S::Error> {
        match value {
            Some(value) => self.0.serialize_entry(key, value),
            None => Ok(()),
        }
    }

    /// Writes a timestamp as Unix seconds.
    #[cfg(feature = "chrono")]
    pub fn unix(
        &mut self,
        key: &'static str,
        value: &chrono::DateTime<chrono::Utc>,
    ) -> Result<(), S::Error> {
        self.0.serialize_entry(key, &value.timestamp())
    }

    /// Writes a timestamp that is present as Unix seconds, and leaves out one that is `None`.
    #[cfg(feature = "chrono")]
    pub fn unix_optional(
        &mut self,
        key: &'static str,
        value: &Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<(), S::Error> {
        match value {
            Some(value) => self.unix(key, value),
            None => Ok(()),
        }
    }

    /// Writes a timestamp as Unix seconds, or `null`.
    #[cfg(feature = "chrono")]
    pub fn unix_nullable(
        &mut self,
        key: &'static str,
        value: &Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<(), S::Error> {
        self.0
            .serialize_entry(key, &value.as_ref().map(chrono::DateTime::timestamp))
    }

    /// Writes the entries of the map of other properties.
    pub fn rest<K: Serialize, V: Serialize>(
        &mut self,
        rest: &std::collections::BTreeMap<K, V>,
    ) -> Result<(), S::Error> {
        rest.iter()
            .try_for_each(|(key, value)| self.0.serialize_entry(key, value))
    }

    /// Ends the object.
    pub fn end(self) -> Result<S::Ok, S::Error> {
        self.0.end()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    /// Every kind of field, beside the struct serde's derive writes for the same fields: the two must
    /// write the same JSON.
    #[derive(Debug, Clone, PartialEq)]
    struct Sample {
        id: String,
        note: Option<String>,
        gone: Option<String>,
        at: chrono::DateTime<chrono::Utc>,
        seen: Option<chrono::DateTime<chrono::Utc>>,
        never: Option<chrono::DateTime<chrono::Utc>>,
        until: Option<chrono::DateTime<chrono::Utc>>,
        other: BTreeMap<String, i64>,
    }

    object!(Sample {
        "id" => id required,
        "note" => note optional,
        "gone" => gone nullable,
        "at" => at unix,
        "seen" => seen unix_optional,
        "never" => never unix_nullable,
        "until" => until unix_nullable,
    } rest other);

    #[derive(serde::Serialize)]
    struct Derived {
        id: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        note: Option<String>,
        gone: Option<String>,
        #[serde(with = "chrono::serde::ts_seconds")]
        at: chrono::DateTime<chrono::Utc>,
        #[serde(
            skip_serializing_if = "Option::is_none",
            with = "chrono::serde::ts_seconds_option"
        )]
        seen: Option<chrono::DateTime<chrono::Utc>>,
        #[serde(with = "chrono::serde::ts_seconds_option")]
        never: Option<chrono::DateTime<chrono::Utc>>,
        #[serde(with = "chrono::serde::ts_seconds_option")]
        until: Option<chrono::DateTime<chrono::Utc>>,
        #[serde(flatten)]
        other: BTreeMap<String, i64>,
    }

    fn samples() -> Vec<Sample> {
        let at = chrono::DateTime::from_timestamp(1_700_000_000, 0).expect("in range");
        let full = Sample {
            id: "c1".into(),
            note: Some("hi".into()),
            gone: Some("x".into()),
            at,
            seen: Some(at),
            never: None,
            until: Some(at),
            other: BTreeMap::from([("extra".into(), 1)]),
        };
        let empty = Sample {
            note: None,
            gone: None,
            seen: None,
            until: None,
            other: BTreeMap::new(),
            ..full.clone()
        };
        vec![full, empty]
    }

    #[test]
    fn writes_what_serde_derive_writes_and_reads_back() {
        for sample in samples() {
            let derived = Derived {
                id: sample.id.clone(),
                note: sample.note.clone(),
                gone: sample.gone.clone(),
                at: sample.at,
                seen: sample.seen,
                never: sample.never,
                until: sample.until,
                other: sample.other.clone(),
            };
            let ours = serde_json::to_string(&sample).expect("serializes");
            assert_eq!(ours, serde_json::to_string(&derived).expect("serializes"));
            let back: Sample = serde_json::from_str(&ours).expect("deserializes");
            assert_eq!(back, sample);
        }
        let [full, empty] = <[Sample; 2]>::try_from(samples()).expect("two samples");
        assert_eq!(
            serde_json::to_string(&full).expect("serializes"),
            r#"{"id":"c1","note":"hi","gone":"x","at":1700000000,"seen":1700000000,"never":null,"until":1700000000,"extra":1}"#
        );
        assert_eq!(
            serde_json::to_string(&empty).expect("serializes"),
            r#"{"id":"c1","gone":null,"at":1700000000,"never":null,"until":null}"#
        );
    }

    /// Only sent: `Deserialize` is compiled under the `cfg` given, here one that never holds.
    struct SentOnly {
        text: Option<String>,
    }
    object!(SentOnly { "text" => text optional }; deserialize if any());

    // `any()` is false: were `object!`'s `Deserialize` impl compiled, this one would conflict with it.
    impl<'de> serde::Deserialize<'de> for SentOnly {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            <serde::de::IgnoredAny as serde::Deserialize>::deserialize(d)?;
            Ok(SentOnly { text: None })
        }
    }

    #[test]
    fn deserialize_if_leaves_out_only_deserialize() {
        let sent = SentOnly {
            text: Some("a".into()),
        };
        assert_eq!(
            serde_json::to_string(&sent).expect("serializes"),
            r#"{"text":"a"}"#
        );
        let read: SentOnly = serde_json::from_str(r#"{"text":"b"}"#).expect("deserializes");
        assert_eq!(read.text, None);
    }
}
