//! The store as a restricted viewer sees it (lldap's pattern): each view's queries carry the
//! viewer's filter in their own SQL, so whatever a handler asks, a view cannot return a row its
//! viewer may not see. Those who run calls use `Store` itself. A blind juror or a provincial
//! manager gets a view of the same shape.

use crate::ideas::{IDEA_COLUMNS, IdeaRow};
use crate::{Store, StoreResult, db_read};
use hamafza_core::idea::Idea;
use hamafza_core::ids::UserId;

/// What one participant may see: the ideas they lead (their author) or whose team they joined
/// (accepted). An invitation alone shows nothing.
pub struct MemberView<'a> {
    store: &'a Store,
    user_id: UserId,
}

impl Store {
    /// The store as participant `user_id` sees it.
    pub fn as_member(&self, user_id: UserId) -> MemberView<'_> {
        MemberView {
            store: self,
            user_id,
        }
    }
}

/// Rows the viewer leads or joined, as SQL over `ideas` with the viewer's id as `$2`.
const MEMBER_FILTER: &str = "(ideas.author_id = $2 OR EXISTS (SELECT 1 FROM idea_members m \
     WHERE m.idea_id = ideas.id AND m.user_id = $2 AND m.state = 'accepted'))";

impl MemberView<'_> {
    /// The idea with this public id, if the viewer leads it or joined its team; `None` for
    /// anyone else's, exactly as for an unknown id.
    pub async fn idea(&self, public_id: &str) -> StoreResult<Option<Idea>> {
        let store = self.store;
        let row: Option<IdeaRow> = db_read!(store, |p| {
            sqlx::query_as(&format!(
                "SELECT {IDEA_COLUMNS} FROM ideas WHERE public_id = $1 AND {MEMBER_FILTER}"
            ))
            .bind(public_id)
            .bind(self.user_id)
            .fetch_optional(p)
            .await?
        });
        row.map(Idea::try_from).transpose()
    }
}
