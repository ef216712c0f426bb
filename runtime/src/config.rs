//! Reading configuration from environment variables.

use crate::error::ConfigError;

/// Reads every variable in `names`, in order.
///
/// Fails with [`ConfigError::MissingEnv`] naming *all* the variables that are unset, empty, or not valid
/// Unicode, so a user fixes their environment in one go rather than one variable per run.
pub fn require_env<const N: usize>(names: [&'static str; N]) -> Result<[String; N], ConfigError> {
    let values = names.map(optional_env);
    let missing: Vec<String> = names
        .iter()
        .zip(&values)
        .filter(|(_, value)| value.is_none())
        .map(|(name, _)| (*name).to_owned())
        .collect();
    if !missing.is_empty() {
        return Err(ConfigError::MissingEnv(missing));
    }
    // Every value is `Some` (checked just above), so the default is never used.
    Ok(values.map(Option::unwrap_or_default))
}

/// Reads one variable; `None` when it is unset, empty, or not valid Unicode.
pub fn optional_env(name: &'static str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    // Each test uses its own variable names, since tests run in parallel in one process.

    #[test]
    fn require_env_returns_values_in_order() {
        std::env::set_var("RUNTIME_TEST_REQ_A", "one");
        std::env::set_var("RUNTIME_TEST_REQ_B", "two");
        let [a, b] =
            require_env(["RUNTIME_TEST_REQ_A", "RUNTIME_TEST_REQ_B"]).expect("both are set");
        assert_eq!((a.as_str(), b.as_str()), ("one", "two"));
    }

    #[test]
    fn require_env_names_all_missing_variables() {
        std::env::set_var("RUNTIME_TEST_MISS_SET", "x");
        std::env::set_var("RUNTIME_TEST_MISS_EMPTY", "");
        std::env::remove_var("RUNTIME_TEST_MISS_UNSET");
        let error = require_env([
            "RUNTIME_TEST_MISS_UNSET",
            "RUNTIME_TEST_MISS_SET",
            "RUNTIME_TEST_MISS_EMPTY",
        ])
        .expect_err("two are missing");
        match error {
            ConfigError::MissingEnv(names) => {
                assert_eq!(
                    names,
                    ["RUNTIME_TEST_MISS_UNSET", "RUNTIME_TEST_MISS_EMPTY"]
                );
            }
            other => panic!("expected MissingEnv, got {other:?}"),
        }
    }

    #[test]
    fn optional_env_treats_empty_as_absent() {
        std::env::set_var("RUNTIME_TEST_OPT_EMPTY", "");
        std::env::set_var("RUNTIME_TEST_OPT_SET", "https://example.test");
        assert_eq!(optional_env("RUNTIME_TEST_OPT_EMPTY"), None);
        assert_eq!(optional_env("RUNTIME_TEST_OPT_NEVER_SET"), None);
        assert_eq!(
            optional_env("RUNTIME_TEST_OPT_SET").as_deref(),
            Some("https://example.test")
        );
    }
}
