//! Forms that work with and without JavaScript.
//!
//! Every form posts to a server function. With JavaScript the `EnhancedForm` island submits it
//! in place and shows the [`FormOutcome`] or the error; without, the server function redirects
//! back to the page with a one-time [`Flash`] that re-renders the form with the reader's text and
//! the message, so nothing typed is lost.

use super::FieldError;
use serde::{Deserialize, Serialize};

/// What a successful form submission says back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormOutcome {
    /// Shown to the reader.
    pub message: String,
    /// Where to go next, if anywhere (the island follows it too).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect: Option<String>,
    /// Form fields to update in place (e.g. the new `version` after a save).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub set: Vec<(String, String)>,
}

impl FormOutcome {
    /// A message and no redirect.
    pub fn message(message: impl Into<String>) -> Self {
        FormOutcome {
            message: message.into(),
            redirect: None,
            set: Vec::new(),
        }
    }
}

/// The result of a plain (no-JavaScript) form post, carried to the next page view once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flash {
    /// The `id` of the form it belongs to.
    pub form: String,
    pub ok: bool,
    pub message: String,
    #[serde(default)]
    pub fields: Vec<FieldError>,
    /// What the reader typed, to put back (never passwords).
    #[serde(default)]
    pub values: Vec<(String, String)>,
}

impl Flash {
    /// The value the reader typed into `name`, if this flash is for `form`.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The error message for a field.
    pub fn error_for(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.field == name)
            .map(|f| f.message.as_str())
    }
}
