//! `hamafza ranking replay CALL STAGE`: a judged stage's ranking recomputed from the audit log
//! alone and compared with the stored one, after the log's hash chain is verified — so a
//! published shortlist can be shown to come from the judgments as they were made.

use hamafza_core::call::StageKind;
use hamafza_store::Store;
use hamafza_web::juries::service;
use std::process::ExitCode;

/// Runs the replay and prints what it found; `FAILURE` when the chain is broken, the stage is
/// unknown, or a method's ranking differs.
pub async fn replay(store: &Store, call: &str, stage: &str) -> anyhow::Result<ExitCode> {
    let Some(call) = store.call_by_public_id(call.trim()).await? else {
        anyhow::bail!("no call with the public id {call}");
    };
    let found = call
        .stages
        .iter()
        .find(|s| s.id.to_string() == stage.trim() || StageKind::parse(stage) == Some(s.kind));
    let Some(stage) = found else {
        let known: Vec<String> = call
            .stages
            .iter()
            .map(|s| format!("{} ({})", s.id, s.kind.as_str()))
            .collect();
        anyhow::bail!(
            "the call has no stage {stage}; its stages: {}",
            known.join(", ")
        );
    };
    if store.jury(stage.id).await?.is_none() {
        anyhow::bail!("stage {} ({}) has no jury", stage.id, stage.kind.as_str());
    }
    let chain = store.verify_audit().await?;
    if let Some(b) = chain.broken {
        println!("audit log BROKEN after {} good entries: {b}", chain.checked);
        return Ok(ExitCode::FAILURE);
    }
    let r = service::replay(store, stage.id).await?;
    println!(
        "{} · stage {} ({}): {} audit entries → {} reviews, {} comparisons (hash chain intact, {} entries)",
        call.title,
        stage.id,
        stage.kind.as_str(),
        r.entries,
        r.reviews,
        r.comparisons,
        chain.checked
    );
    let mut all = true;
    for (method, matches, first) in &r.methods {
        match first {
            None => println!("  {:<10} matches the stored ranking", method.as_str()),
            Some(rank) => println!(
                "  {:<10} DIFFERS from the stored ranking from place {rank}",
                method.as_str()
            ),
        }
        all &= matches;
    }
    let labels = store.idea_labels(&r.top[..r.top.len().min(5)]).await?;
    for (n, id) in r.top.iter().take(5).enumerate() {
        if let Some(l) = labels.iter().find(|l| l.id == *id) {
            println!("  {}. {} {}", n + 1, l.tracking_code, l.title);
        }
    }
    Ok(if all {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
