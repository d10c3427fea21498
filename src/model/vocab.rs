//! The newsroom's vocabulary: every status, sort, action, kind and channel that travels as text
//! (in URLs, forms, the database and the live stream) is an enum here.
//!
//! Parse, don't validate: text becomes a type in exactly one place, [`vocabulary!`]'s `FromStr`
//! (used by serde, by sqlx when reading a row, and by form and URL parsing); an unknown value is
//! an [`UnknownValue`] error, which the API layer turns into a 400. Every other piece of code
//! holds the type and cannot hold an invalid value.

use serde::{Deserialize, Serialize};

/// A string that names no value of a vocabulary type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a valid {what}")]
pub struct UnknownValue {
    pub what: &'static str,
    pub value: String,
}

/// Declares a vocabulary enum with its one printed and parsed spelling per variant.
///
/// Generates `as_str`, `parse`, `ALL`, `FromStr`, `Display`, serde as the spelling and, on the
/// server, sqlx encoding as text.
#[macro_export]
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident ($what:literal) {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The one spelling of this value (stored, sent and put in URLs).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// The value spelled `s`, if any.
            pub fn parse(s: &str) -> Option<Self> {
                match s {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::model::vocab::UnknownValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::parse(s).ok_or_else(|| $crate::model::vocab::UnknownValue {
                    what: $what,
                    value: s.chars().take(64).collect(),
                })
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(d)?;
                s.parse().map_err(::serde::de::Error::custom)
            }
        }

        #[cfg(feature = "ssr")]
        impl<DB: ::sqlx::Database> ::sqlx::Type<DB> for $name
        where
            str: ::sqlx::Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <str as ::sqlx::Type<DB>>::type_info()
            }
            fn compatible(ty: &DB::TypeInfo) -> bool {
                <str as ::sqlx::Type<DB>>::compatible(ty)
            }
        }

        #[cfg(feature = "ssr")]
        impl<'q, DB: ::sqlx::Database> ::sqlx::Encode<'q, DB> for $name
        where
            &'static str: ::sqlx::Encode<'q, DB>,
        {
            fn encode_by_ref(
                &self,
                buf: &mut <DB as ::sqlx::Database>::ArgumentBuffer,
            ) -> Result<::sqlx::encode::IsNull, ::sqlx::error::BoxDynError> {
                <&'static str as ::sqlx::Encode<'q, DB>>::encode(self.as_str(), buf)
            }
        }

        #[cfg(feature = "ssr")]
        impl<'r, DB: ::sqlx::Database> ::sqlx::Decode<'r, DB> for $name
        where
            &'r str: ::sqlx::Decode<'r, DB>,
        {
            fn decode(
                value: <DB as ::sqlx::Database>::ValueRef<'r>,
            ) -> Result<Self, ::sqlx::error::BoxDynError> {
                let s = <&'r str as ::sqlx::Decode<'r, DB>>::decode(value)?;
                Ok(s.parse::<$name>()?)
            }
        }
    };
}

vocabulary! {
    /// Where a comment is in moderation.
    pub enum CommentStatus ("comment status") {
        /// Held for a moderator.
        Pending = "pending",
        /// Visible to readers.
        Approved = "approved",
        Rejected = "rejected",
        Spam = "spam",
        /// Deleted by its author.
        Deleted = "deleted",
    }
}

vocabulary! {
    /// The order of an article's comment threads.
    #[derive(Default)]
    pub enum CommentSort ("comment order") {
        #[default]
        Oldest = "oldest",
        Newest = "newest",
        /// Most replied first.
        Replies = "replies",
    }
}

vocabulary! {
    /// A tab of the moderation queue.
    #[derive(Default)]
    pub enum ModerationTab ("moderation tab") {
        /// Comments held for approval.
        #[default]
        Pending = "pending",
        /// Comments with open reports.
        Reported = "reported",
    }
}

vocabulary! {
    /// A moderator's decision on a comment.
    pub enum ModerationAction ("moderation action") {
        Approve = "approve",
        Reject = "reject",
        Spam = "spam",
        /// Dismiss the reports; the comment stays.
        Dismiss = "dismiss",
        Feature = "feature",
        Unfeature = "unfeature",
        /// Ban the author and reject their waiting comments.
        Ban = "ban",
    }
}

vocabulary! {
    /// Why a reader reports a comment.
    pub enum ReportReason ("report reason") {
        Spam = "spam",
        Abuse = "abuse",
        OffTopic = "off-topic",
        Other = "other",
    }
}

vocabulary! {
    /// What a live event says happened to its target.
    pub enum LiveKind ("live event kind") {
        /// The target is new or changed: show its current version.
        Upsert = "upsert",
        /// The target is gone: remove it.
        Delete = "delete",
    }
}

vocabulary! {
    /// A recorded action in the audit log.
    pub enum AuditAction ("audit action") {
        Create = "create",
        Update = "update",
        Publish = "publish",
        AutoPublish = "auto_publish",
        Schedule = "schedule",
        Unpublish = "unpublish",
        Restore = "restore",
        Delete = "delete",
        FeedPost = "feed_post",
        FeedEdit = "feed_edit",
        FeedPin = "feed_pin",
        FeedUnpin = "feed_unpin",
        CommentApprove = "comment_approve",
        CommentReject = "comment_reject",
        CommentSpam = "comment_spam",
        CommentDismiss = "comment_dismiss",
        CommentFeature = "comment_feature",
        CommentUnfeature = "comment_unfeature",
        CommentBan = "comment_ban",
        CommentMode = "comment_mode",
        NewsletterIssue = "newsletter_issue",
        NewsletterSend = "newsletter_send",
        NewsletterExport = "newsletter_export",
        NewsletterUnsubscribe = "newsletter_unsubscribe",
        UserCreated = "user_created",
        RoleChange = "role_change",
        Activate = "activate",
        Deactivate = "deactivate",
        PasswordReset = "password_reset",
    }
}

impl AuditAction {
    /// The words the audit log shows.
    pub fn label(self) -> &'static str {
        match self {
            AuditAction::Create => "created",
            AuditAction::Update => "updated",
            AuditAction::Publish => "published",
            AuditAction::AutoPublish => "published on schedule",
            AuditAction::Schedule => "scheduled",
            AuditAction::Unpublish => "unpublished",
            AuditAction::Restore => "restored a version of",
            AuditAction::Delete => "deleted",
            AuditAction::FeedPost => "posted to the News Feed",
            AuditAction::FeedEdit => "edited a News Feed update",
            AuditAction::FeedPin => "pinned",
            AuditAction::FeedUnpin => "unpinned",
            AuditAction::CommentApprove => "approved a comment",
            AuditAction::CommentReject => "rejected a comment",
            AuditAction::CommentSpam => "marked a comment as spam",
            AuditAction::CommentDismiss => "dismissed reports on a comment",
            AuditAction::CommentFeature => "featured a comment",
            AuditAction::CommentUnfeature => "unfeatured a comment",
            AuditAction::CommentBan => "banned a commenter",
            AuditAction::CommentMode => "changed comment settings",
            AuditAction::NewsletterIssue => "saved a newsletter issue",
            AuditAction::NewsletterSend => "sent a newsletter issue",
            AuditAction::NewsletterExport => "exported subscribers",
            AuditAction::NewsletterUnsubscribe => "unsubscribed a subscriber",
            AuditAction::UserCreated => "created an account",
            AuditAction::RoleChange => "changed a role",
            AuditAction::Activate => "activated an account",
            AuditAction::Deactivate => "deactivated an account",
            AuditAction::PasswordReset => "reset a password",
        }
    }
}

vocabulary! {
    /// What an audit entry is about.
    pub enum AuditTarget ("audit target") {
        Article = "article",
        FeedItem = "feed_item",
        Comment = "comment",
        Newsletter = "newsletter",
        NewsletterIssue = "newsletter_issue",
        Subscriber = "subscriber",
        User = "user",
    }
}

vocabulary! {
    /// A subscription's consent state.
    pub enum SubscriptionState ("subscription state") {
        /// Signed up; the confirmation link has not been used yet.
        Pending = "pending",
        Confirmed = "confirmed",
        Unsubscribed = "unsubscribed",
    }
}

vocabulary! {
    /// Where a newsletter issue is in its life.
    pub enum IssueState ("issue state") {
        Draft = "draft",
        Sending = "sending",
        Sent = "sent",
    }
}

vocabulary! {
    /// Where one recipient's copy of an issue is.
    pub enum DeliveryState ("delivery state") {
        Pending = "pending",
        Sent = "sent",
        Failed = "failed",
    }
}

/// A live stream channel: the News Feed, or one article's comments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    NewsFeed,
    Comments(i64),
    /// Published stories changed (published, edited, withdrawn, deleted): what fronts, rails
    /// and listings show. Never streamed to readers; every node drops its snapshots on it.
    Site,
}

impl Channel {
    /// The channel's name in the live log (`feed`, `comments:<article id>`, `site`).
    pub fn name(self) -> String {
        match self {
            Channel::NewsFeed => "feed".to_owned(),
            Channel::Comments(id) => format!("comments:{id}"),
            Channel::Site => "site".to_owned(),
        }
    }
}

impl std::fmt::Display for Channel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

impl std::str::FromStr for Channel {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, UnknownValue> {
        let unknown = || UnknownValue {
            what: "live channel",
            value: s.chars().take(64).collect(),
        };
        match s.split_once(':') {
            None if s == "feed" => Ok(Channel::NewsFeed),
            None if s == "site" => Ok(Channel::Site),
            Some(("comments", id)) => id.parse().map(Channel::Comments).map_err(|_| unknown()),
            _ => Err(unknown()),
        }
    }
}

impl Serialize for Channel {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.name())
    }
}

impl<'de> Deserialize<'de> for Channel {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_round_trips_through_its_spelling() {
        for s in CommentStatus::ALL {
            assert_eq!(s.as_str().parse::<CommentStatus>(), Ok(*s));
        }
        for a in AuditAction::ALL {
            assert_eq!(a.as_str().parse::<AuditAction>(), Ok(*a));
            assert!(!a.label().is_empty());
        }
        for c in [Channel::NewsFeed, Channel::Comments(42)] {
            assert_eq!(c.name().parse::<Channel>(), Ok(c));
        }
    }

    #[test]
    fn unknown_spellings_are_refused_with_what_they_were_for() {
        let e = "Approved".parse::<CommentStatus>().unwrap_err();
        assert_eq!(e.what, "comment status");
        assert!("comments:x".parse::<Channel>().is_err());
        assert!("comment:1".parse::<Channel>().is_err());
        assert!(serde_json::from_str::<ModerationAction>("\"nuke\"").is_err());
        assert_eq!(
            serde_json::from_str::<ModerationAction>("\"ban\"").unwrap(),
            ModerationAction::Ban
        );
    }
}
