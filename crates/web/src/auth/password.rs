//! Passwords are hashed with argon2id, 7 MiB and 5 passes: one of the settings OWASP lists as
//! equally strong (with 12 MiB and 3 passes, or 19 MiB and 2; the work is the same), chosen for
//! the smallest memory block an app node keeps: with 12 MiB an idle node sat at 40 MB, 7 MiB
//! leaves it at 35. Stored hashes carry their own parameters, so older ones still verify (an
//! older 12 MiB hash grows the kept block to 12 MiB). Hashing costs tens of milliseconds and
//! its memory on purpose, so it runs off the async
//! workers, on one dedicated thread that keeps one block of argon2 memory for every job. Letting
//! argon2 allocate per call grew the process by about 20 MB per sign-in (the allocator does not
//! hand such blocks back), and one thread queues a burst of sign-ins instead of letting it take
//! every core.

use crate::http::error::AppError;
use argon2::password_hash::{Output, PasswordHash, SaltString, rand_core::OsRng};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::cell::RefCell;
use std::sync::mpsc;
use std::sync::{LazyLock, Mutex};

type Job = Box<dyn FnOnce() + Send>;

static HASHER: LazyLock<Mutex<mpsc::Sender<Job>>> = LazyLock::new(|| {
    let (tx, rx) = mpsc::channel::<Job>();
    std::thread::Builder::new()
        .name("argon2".into())
        .spawn(move || {
            for job in rx {
                job();
            }
        })
        .expect("start the password hashing thread");
    Mutex::new(tx)
});

thread_local! {
    /// argon2's working memory, allocated once per thread and reused.
    static BLOCKS: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` on the hashing thread and waits for its result without blocking the caller's thread.
async fn on_hasher<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    HASHER
        .lock()
        .map_err(|_| AppError::Internal(anyhow::anyhow!("password hasher poisoned")))?
        .send(Box::new(move || {
            let _ = tx.send(f());
        }))
        .map_err(|_| AppError::Internal(anyhow::anyhow!("password hasher stopped")))?;
    rx.await
        .map_err(|_| AppError::Internal(anyhow::anyhow!("password hasher dropped a job")))
}

/// The raw argon2 output for `password` and `salt` under `argon`, in this thread's reused memory.
fn raw_hash(argon: &Argon2, password: &[u8], salt: &[u8], out: &mut [u8]) -> argon2::Result<()> {
    BLOCKS.with(|blocks| {
        let mut blocks = blocks.borrow_mut();
        let n = argon.params().block_count();
        if blocks.len() < n {
            blocks.resize(n, Block::default());
        }
        argon.hash_password_into_with_memory(password, salt, out, &mut blocks[..n])
    })
}

/// The parameters new hashes get.
fn hasher() -> Argon2<'static> {
    let params = Params::new(7 * 1024, 5, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes on the current thread into a PHC string (`$argon2id$v=19$m=7168,t=5,p=1$…`).
pub fn hash_blocking(password: &str) -> anyhow::Result<String> {
    let argon = hasher();
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_raw = salt
        .decode_b64(&mut salt_bytes)
        .map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    raw_hash(&argon, password.as_bytes(), salt_raw, &mut out)
        .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: argon
            .params()
            .try_into()
            .map_err(|e| anyhow::anyhow!("argon2 params: {e}"))?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|e| anyhow::anyhow!("argon2 output: {e}"))?),
    };
    Ok(phc.to_string())
}

/// Whether `password` gives the hash stored in `phc`.
fn matches(password: &str, phc: &str) -> bool {
    let check = || -> Option<bool> {
        let h = PasswordHash::new(phc).ok()?;
        let argon = Argon2::new(
            Algorithm::try_from(h.algorithm).ok()?,
            h.version
                .map(Version::try_from)
                .transpose()
                .ok()?
                .unwrap_or_default(),
            Params::try_from(&h).ok()?,
        );
        let (salt, expected) = (h.salt?, h.hash?);
        let mut salt_bytes = [0u8; 64];
        let salt_raw = salt.decode_b64(&mut salt_bytes).ok()?;
        let mut out = vec![0u8; expected.len()];
        raw_hash(&argon, password.as_bytes(), salt_raw, &mut out).ok()?;
        // `Output`'s equality is constant-time.
        Some(Output::new(&out).ok()? == expected)
    };
    check().unwrap_or(false)
}

/// Whether a stored hash was made with other parameters than new hashes get (an older, larger
/// memory block, or another algorithm): sign-in then stores a new hash of the same password.
pub fn outdated(phc: &str) -> bool {
    let Ok(h) = PasswordHash::new(phc) else {
        return false;
    };
    let current = hasher();
    let params = Params::try_from(&h);
    h.algorithm != Algorithm::Argon2id.ident()
        || h.version != Some(Version::V0x13.into())
        || params.map_or(true, |p| {
            (p.m_cost(), p.t_cost(), p.p_cost())
                != (
                    current.params().m_cost(),
                    current.params().t_cost(),
                    current.params().p_cost(),
                )
        })
}

pub async fn hash(password: &str) -> Result<String, AppError> {
    let password = password.to_string();
    on_hasher(move || hash_blocking(&password))
        .await?
        .map_err(AppError::Internal)
}

/// Whether `password` matches `phc` (a stored hash). Without a stored hash (no such account, or
/// one made by SMS) it checks against a dummy, so that a wrong username takes as long as a wrong
/// password and does not reveal which accounts exist; the answer is then `false`.
pub async fn verify(password: &str, phc: Option<&str>) -> bool {
    static DUMMY: LazyLock<String> =
        LazyLock::new(|| hash_blocking("not-a-real-password-at-all").unwrap_or_default());
    let (password, phc) = (password.to_string(), phc.map(str::to_string));
    on_hasher(move || {
        let ok = matches(&password, phc.as_deref().unwrap_or(&DUMMY));
        ok && phc.is_some()
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::{PasswordHasher, PasswordVerifier};

    #[test]
    fn hashes_of_other_parameters_are_outdated() {
        let ours = hash_blocking("correct horse").unwrap();
        assert!(!outdated(&ours));
        let salt = SaltString::generate(&mut OsRng);
        let theirs = Argon2::default()
            .hash_password(b"correct horse", &salt)
            .unwrap()
            .to_string();
        assert!(outdated(&theirs), "{theirs}");
        assert!(!outdated("not a hash"), "what cannot be read is left alone");
    }

    #[test]
    fn our_hashes_are_standard_argon2id_phc_strings() {
        let phc = hash_blocking("correct horse").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=7168,t=5,p=1$"), "{phc}");
        // The argon2 crate's own verifier agrees, and ours agrees with the crate's hashes made
        // with its defaults (19 MiB, 2 passes), like those stored before.
        let parsed = PasswordHash::new(&phc).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"correct horse", &parsed)
                .is_ok()
        );
        let theirs = Argon2::default()
            .hash_password(b"battery staple", &SaltString::generate(&mut OsRng))
            .unwrap()
            .to_string();
        assert!(matches("battery staple", &theirs));
        assert!(!matches("battery stable", &theirs));
        assert!(!matches("x", "not a hash"));
    }

    #[tokio::test]
    async fn an_unknown_account_never_verifies() {
        assert!(!verify("not-a-real-password-at-all", None).await);
        let phc = hash("pw-123456789").await.unwrap();
        assert!(verify("pw-123456789", Some(&phc)).await);
    }
}
