//! Sign-up and sign-in by mobile number and a one-time code sent by SMS (rules in
//! `hamafza_core::limits`): a code lives 2 minutes, allows 5 tries, and a new one can be asked for
//! after a cooldown. Throttled per number and per client address.

use crate::AppState;
use crate::http::error::{AppError, AppResult};
use base64::Engine;
use hamafza_core::limits::{
    self, OTP_DIGITS, OTP_MAX_ATTEMPTS, OTP_RESEND_COOLDOWN_SECS, OTP_TTL_SECS,
};
use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::Sha256;

/// Why a code was not accepted; each has its own message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtpRejection {
    /// No live code for this number: expired, used, voided by too many tries, or never sent.
    NoCode,
    Wrong {
        tries_left: i64,
    },
}

fn code_hash(state: &AppState, mobile: &str, code: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(&state.secret).expect("HMAC takes any key length");
    mac.update(b"otp:");
    mac.update(mobile.as_bytes());
    mac.update(b":");
    mac.update(code.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// Sends a new code to `mobile` (already normalized) in `lang`'s wording. Refuses with
/// `RateLimited` inside the cooldown or past the hourly limits.
pub async fn send_code(
    state: &AppState,
    mobile: &str,
    ip: &str,
    lang: crate::i18n::Lang,
) -> AppResult<()> {
    let now = hamafza_store::now();
    if let Some(prev) = state.store.otp(mobile).await? {
        let wait = prev.sent_at + OTP_RESEND_COOLDOWN_SECS - now;
        if wait > 0 {
            return Err(AppError::RateLimited { retry_after: wait });
        }
    }
    for (bucket, limit) in [
        (format!("otp:ip:{ip}"), limits::OTP_SEND_PER_IP),
        (format!("otp:mobile:{mobile}"), limits::OTP_SEND_PER_MOBILE),
    ] {
        crate::auth::throttle(state, &bucket, limit, now).await?;
    }
    let code = format!(
        "{:0width$}",
        rand::rng().random_range(0..10u32.pow(OTP_DIGITS)),
        width = OTP_DIGITS as usize
    );
    // The cooldown checked above is checked again in the write: of two requests racing past
    // that read, one stores its code and sends an SMS, the other waits.
    let stored = state
        .store
        .put_otp(
            mobile,
            &code_hash(state, mobile, &code),
            now,
            now + OTP_TTL_SECS,
            OTP_RESEND_COOLDOWN_SECS,
        )
        .await?;
    if !stored {
        return Err(AppError::RateLimited {
            retry_after: OTP_RESEND_COOLDOWN_SECS,
        });
    }
    let text = lang.tf("otp.sms", &[("code", &lang.digits(&code))]);
    state
        .sms
        .send(mobile, &text)
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(())
}

/// Checks `code` for `mobile`. Every guess takes a try first; a right code is used up, and once
/// the tries are taken the code is void.
pub async fn verify_code(
    state: &AppState,
    mobile: &str,
    code: &str,
) -> AppResult<Result<(), OtpRejection>> {
    let now = hamafza_store::now();
    let code = hamafza_persian::digits::to_latin(code.trim());
    // The try is taken before the guess is checked, in one statement: parallel guesses cannot
    // take more than the code's tries.
    let Some(live) = state
        .store
        .otp_attempt(mobile, now, OTP_MAX_ATTEMPTS)
        .await?
    else {
        return Ok(Err(OtpRejection::NoCode));
    };
    let hash = code_hash(state, mobile, &code);
    // Comparing hashes of equal length; the HMAC makes timing useless to an attacker anyway.
    if hash == live.code_hash && state.store.take_otp(mobile, &hash).await? {
        return Ok(Ok(()));
    }
    let attempts = live.attempts;
    Ok(Err(if attempts >= OTP_MAX_ATTEMPTS {
        OtpRejection::NoCode
    } else {
        OtpRejection::Wrong {
            tries_left: OTP_MAX_ATTEMPTS - attempts,
        }
    }))
}
