//! The application's one error type; it crosses the wire and maps to an HTTP status.

use leptos::server_fn::{
    ServerFnError,
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

/// One invalid form field and what is wrong with it, in words a reader understands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// Everything that can go wrong in a request, as the client sees it.
///
/// `Internal` never carries details: those are logged on the server. On the wire it is a flat
/// `{kind, message, fields}` object, so the browser can show it without knowing the enum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(into = "WireError", from = "WireError")]
pub enum AppError {
    #[error("We could not find that page.")]
    NotFound,
    #[error("This article is no longer available.")]
    Gone,
    #[error("Please sign in to continue.")]
    Unauthorized,
    #[error("Your account is not allowed to do that.")]
    Forbidden,
    #[error("This request came from another site and was refused.")]
    CrossSite,
    #[error("{}", invalid_summary(.0))]
    Invalid(Vec<FieldError>),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    RateLimited(String),
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    #[error("The request could not be completed: {0}")]
    Request(String),
}

/// The wire form of [`AppError`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WireError {
    pub kind: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

impl From<AppError> for WireError {
    fn from(e: AppError) -> Self {
        let message = e.to_string();
        let (kind, fields) = match e {
            AppError::NotFound => ("not_found", vec![]),
            AppError::Gone => ("gone", vec![]),
            AppError::Unauthorized => ("unauthorized", vec![]),
            AppError::Forbidden => ("forbidden", vec![]),
            AppError::CrossSite => ("cross_site", vec![]),
            AppError::Invalid(f) => ("invalid", f),
            AppError::Conflict(_) => ("conflict", vec![]),
            AppError::TooLarge(_) => ("too_large", vec![]),
            AppError::RateLimited(_) => ("rate_limited", vec![]),
            AppError::Internal => ("internal", vec![]),
            AppError::Request(_) => ("request", vec![]),
        };
        WireError {
            kind: kind.to_owned(),
            message,
            fields,
        }
    }
}

impl From<WireError> for AppError {
    fn from(w: WireError) -> Self {
        match w.kind.as_str() {
            "not_found" => AppError::NotFound,
            "gone" => AppError::Gone,
            "unauthorized" => AppError::Unauthorized,
            "forbidden" => AppError::Forbidden,
            "cross_site" => AppError::CrossSite,
            "invalid" => AppError::Invalid(w.fields),
            "conflict" => AppError::Conflict(w.message),
            "too_large" => AppError::TooLarge(w.message),
            "rate_limited" => AppError::RateLimited(w.message),
            "internal" => AppError::Internal,
            _ => AppError::Request(w.message),
        }
    }
}

fn invalid_summary(errors: &[FieldError]) -> String {
    match errors {
        [] => "Please check the form.".to_owned(),
        [one] => one.message.clone(),
        many => many
            .iter()
            .map(|e| e.message.as_str())
            .collect::<Vec<_>>()
            .join(" "),
    }
}

impl AppError {
    /// A single-field validation error.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        AppError::Invalid(vec![FieldError {
            field: field.to_owned(),
            message: message.into(),
        }])
    }

    /// The message for one field, if this is a validation error that names it.
    pub fn for_field(&self, field: &str) -> Option<String> {
        match self {
            AppError::Invalid(errors) => errors
                .iter()
                .find(|e| e.field == field)
                .map(|e| e.message.clone()),
            _ => None,
        }
    }

    /// The HTTP status this error is answered with.
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::NotFound => 404,
            AppError::Gone => 410,
            AppError::Unauthorized => 401,
            AppError::Forbidden | AppError::CrossSite => 403,
            AppError::Invalid(_) => 422,
            AppError::Conflict(_) => 409,
            AppError::TooLarge(_) => 413,
            AppError::RateLimited(_) => 429,
            AppError::Internal => 500,
            AppError::Request(_) => 400,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Request(value.to_string())
    }
}

impl From<super::vocab::UnknownValue> for AppError {
    /// An unknown status, sort, action or channel from a URL or form is a bad request.
    fn from(value: super::vocab::UnknownValue) -> Self {
        AppError::Request(value.to_string())
    }
}

impl From<ServerFnError> for AppError {
    fn from(value: ServerFnError) -> Self {
        AppError::Request(value.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_follow_http_meaning() {
        assert_eq!(AppError::NotFound.status_code(), 404);
        assert_eq!(AppError::Unauthorized.status_code(), 401);
        assert_eq!(AppError::Forbidden.status_code(), 403);
        assert_eq!(AppError::field("email", "bad").status_code(), 422);
    }

    #[test]
    fn field_errors_are_found_by_name() {
        let e = AppError::field("email", "Please enter a correct email address");
        assert_eq!(
            e.for_field("email").as_deref(),
            Some("Please enter a correct email address")
        );
        assert_eq!(e.for_field("name"), None);
        assert_eq!(e.to_string(), "Please enter a correct email address");
    }

    #[test]
    fn errors_cross_the_wire_flat_and_come_back_whole() {
        let cases = [
            AppError::NotFound,
            AppError::Unauthorized,
            AppError::field("email", "Please enter a correct email address"),
            AppError::Conflict("Changed by someone else.".into()),
            AppError::RateLimited("Slow down.".into()),
            AppError::Internal,
        ];
        for e in cases {
            let json = serde_json::to_value(&e).unwrap();
            assert!(json["message"].is_string(), "{json}");
            assert!(json["kind"].is_string(), "{json}");
            let back: AppError = serde_json::from_value(json).unwrap();
            assert_eq!(back, e);
        }
        let json = serde_json::to_value(AppError::field("email", "bad")).unwrap();
        assert_eq!(json["fields"][0]["field"], "email");
    }

    #[test]
    fn internal_errors_reveal_nothing() {
        assert!(!AppError::Internal.to_string().contains("sql"));
    }
}
