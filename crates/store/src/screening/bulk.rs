//! Bulk actions on a selection of inbox rows, each in one transaction.

use super::ScreenConn;
use crate::{Store, StoreResult, db_write};
use hamafza_core::idea::Transition;
use hamafza_core::ids::{AxisId, CallId, UserId};
use serde::Serialize;

/// A screening action on a selection of inbox rows.
#[derive(Debug, Clone)]
pub enum BulkAction {
    /// Accept into the next stage of the call's pipeline (the stage kinds in order).
    Accept {
        stages: Vec<hamafza_core::call::StageKind>,
    },
    Reject {
        stages: Vec<hamafza_core::call::StageKind>,
        message: String,
    },
    Tag(String),
    Reclassify(AxisId),
}

/// What a bulk action did: public ids changed, and those skipped because their status (or
/// stage) did not allow it, or they were not in the call.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BulkOutcome {
    pub changed: Vec<String>,
    pub skipped: Vec<String>,
}

impl Store {
    /// Applies `action` to the ideas of `call_id` named by public id, in one transaction: ideas
    /// whose status does not allow it are skipped and listed.
    pub async fn bulk_screen(
        &self,
        call_id: CallId,
        public_ids: &[String],
        action: &BulkAction,
        actor_id: Option<UserId>,
    ) -> StoreResult<BulkOutcome> {
        let mut ideas = Vec::new();
        let mut out = BulkOutcome::default();
        for id in public_ids {
            match self.idea_by_public_id(id).await? {
                Some(i) if i.call_id == call_id => ideas.push(i),
                _ => out.skipped.push(id.clone()),
            }
        }
        let done: Vec<String> = db_write!(self, |p| {
            let mut tx = p.begin().await?;
            let mut done = Vec::new();
            for idea in &ideas {
                let changed = match action {
                    BulkAction::Accept { stages } => {
                        match Transition::Accept.plan(idea.place(), stages) {
                            Some(to) => tx.move_idea(idea, idea.place(), to, "", actor_id).await?,
                            None => false,
                        }
                    }
                    BulkAction::Reject { stages, message } => {
                        match Transition::Reject.plan(idea.place(), stages) {
                            Some(to) => {
                                tx.move_idea(idea, idea.place(), to, message, actor_id)
                                    .await?
                            }
                            None => false,
                        }
                    }
                    BulkAction::Tag(name) => !tx
                        .retag(idea, std::slice::from_ref(name), &[], actor_id)
                        .await?
                        .is_empty(),
                    BulkAction::Reclassify(axis) => tx.reclassify(idea, *axis, actor_id).await?,
                };
                if changed {
                    done.push(idea.public_id.clone());
                }
            }
            tx.commit().await?;
            done
        });
        for idea in ideas {
            if !done.contains(&idea.public_id) {
                out.skipped.push(idea.public_id);
            }
        }
        out.changed = done;
        Ok(out)
    }
}
