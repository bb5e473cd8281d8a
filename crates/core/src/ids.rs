//! Ids of stored things, one type each, so that passing an idea's id where a call's is expected
//! does not compile. Each wraps the database's `BIGINT` row id; what URLs and the API show is
//! the opaque `public_id` where an entity has one.
//!
//! With the `sqlx` feature they bind and decode as that integer (the store turns it on); with
//! `utoipa` they are described as one (the web crate turns it on).
//!
//! ```compile_fail
//! use hamafza_core::ids::{CallId, IdeaId};
//! fn ideas_of(_call: CallId) {}
//! ideas_of(IdeaId::new(1)); // an idea's id is not a call's
//! ```

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[derive(serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(transparent))]
        #[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema), schema(value_type = i64))]
        pub struct $name(i64);

        impl $name {
            /// The id of row `n`; only the store and tests make one from a number.
            pub const fn new(n: i64) -> Self {
                Self(n)
            }

            /// The row id, for a query or a URL.
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map(Self)
            }
        }
    )*};
}

ids! {
    /// A person's account.
    UserId;
    /// A unit of the organization: HQ, a deputy, a province or a branch.
    OrgUnitId;
    /// A call for ideas.
    CallId;
    /// A thematic axis of a call.
    AxisId;
    /// A stage of a call's pipeline.
    StageId;
    /// An idea (every version shares it).
    IdeaId;
    /// A tag of a call.
    TagId;
    /// A rejection message template.
    TemplateId;
    /// A file attached to an idea.
    AttachmentId;
    /// One notification to one person.
    NotificationId;
    /// A background job (an SMS or an email to send).
    JobId;
    /// An orientation session for finalists.
    OrientationId;
    /// An API token.
    TokenId;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_shows_and_parses_as_its_number() {
        let id = IdeaId::new(42);
        assert_eq!(id.to_string(), "42");
        assert_eq!("42".parse::<IdeaId>(), Ok(id));
        assert_eq!(serde_json::to_string(&id).unwrap(), "42");
    }
}
